"""``tiktok/comments`` and ``tiktok/comment_replies`` (events), per tracked account.

comments: partition D = comments created on D on the account's selected videos. Comments have no
time order in the API, so each selected video costs one full pass; we keep the comments created in
the range. Videos are selected from the ``posts`` lake table (created up to the range end): the N
most recent (``videos_per_account``, default 10) or the N most commented (``video_selection:
engaged``). TikTok serves about the top 1,000 comments per video; reaching that is noted in metadata.
comment_replies: partition D = replies created on D to the top M comments per video
(``comments_per_video``, default 5, by ``reply_comment_total``, only comments that have replies)
found in the range's ``comments`` partitions. A video or comment deleted meanwhile (404) is noted
and skipped without failing the account.
"""


from typing import Any

import pyarrow.compute as pc
from dagster import AssetExecutionContext, MaterializeResult, asset
from pydantic import Field

from ..scavio.errors import EntityNotFoundError
from .fanout import EntityOutcome, fan_out
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import EVENT, asset_kwargs
from .sink import DaySink

COMMENTS_CAP = 1000


class CommentsConfig(TikTokConfig):
    videos_per_account: int = Field(default=10, ge=1, description="How many of each account's videos to read comments of.")
    video_selection: str = Field(default="recent", pattern="^(recent|engaged)$", description="recent = newest; engaged = most comments.")


class RepliesConfig(TikTokConfig):
    comments_per_video: int = Field(default=5, ge=1, description="Top comments (by reply count) per video to read replies of.")


def select_videos(run: AssetRun, account: str, n: int, how: str) -> list[str]:
    """Video ids of ``account`` from the posts table, created no later than the window end."""
    t = run.lake.read("posts", keys=[account], columns=["aweme_id", "create_time", "comment_count", "captured_at"])
    if t.num_rows == 0:
        return []
    rows = [r for r in t.to_pylist() if r["create_time"] is not None and r["create_time"].timestamp() < run.window.end_ts_exclusive]
    latest: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: r["captured_at"]):
        latest[r["aweme_id"]] = r  # the newest observation wins
    key = (lambda r: (r["create_time"], r["aweme_id"])) if how == "recent" else (lambda r: (r["comment_count"] or 0, r["create_time"]))
    return [r["aweme_id"] for r in sorted(latest.values(), key=key, reverse=True)[:n]]


@asset(**asset_kwargs("comments", semantics=EVENT, description=__doc__, deps=["posts"]))
def comments(context: AssetExecutionContext, config: CommentsConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "comments", scavio, lake, config) as run:

        def work(account: str, outcome: EntityOutcome) -> None:
            videos = select_videos(run, account, config.videos_per_account, config.video_selection)
            with DaySink(run, account, outcome) as sink:
                for vid in videos:
                    served = 0
                    try:
                        for page in run.client.video_comments(vid):  # streamed: one page in memory at a time
                            served += len(page.items)
                            sink.add(page.items, {"aweme_id": vid})
                    except EntityNotFoundError:
                        outcome.notes.append(f"video {vid} not found")
                        continue
                    if served >= COMMENTS_CAP:
                        outcome.notes.append(f"video {vid}: comment cap reached ({served})")
            outcome.notes.insert(0, f"{len(videos)} videos")

        return run.finish(fan_out(run, run.select("accounts"), work))


def top_comments(run: AssetRun, account: str, m: int) -> list[tuple[str, str]]:
    """(video id, cid) of the top ``m`` comments per video with replies, from the range's partitions."""
    t = run.lake.read("comments", dates=run.window.days(), keys=[account], columns=["aweme_id", "cid", "reply_comment_total"])
    t = t.filter(pc.greater(pc.fill_null(t["reply_comment_total"], 0), 0))
    per_video: dict[str, list[dict[str, Any]]] = {}
    for r in t.to_pylist():
        per_video.setdefault(r["aweme_id"], []).append(r)
    out: list[tuple[str, str]] = []
    for vid, rows in per_video.items():
        unique = {r["cid"]: r for r in rows}.values()
        for r in sorted(unique, key=lambda r: (r["reply_comment_total"], r["cid"]), reverse=True)[:m]:
            out.append((vid, r["cid"]))
    return out


@asset(**asset_kwargs("comment_replies", semantics=EVENT, description=__doc__, deps=["comments"]))
def comment_replies(context: AssetExecutionContext, config: RepliesConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "comment_replies", scavio, lake, config) as run:

        def work(account: str, outcome: EntityOutcome) -> None:
            targets = top_comments(run, account, config.comments_per_video)
            with DaySink(run, account, outcome) as sink:
                for vid, cid in targets:
                    try:
                        for page in run.client.comment_replies(vid, cid):
                            sink.add(page.items, {"aweme_id": vid, "reply_to_cid": cid})
                    except EntityNotFoundError:
                        outcome.notes.append(f"comment {cid} on {vid} not found")
                        continue
            outcome.notes.insert(0, f"{len(targets)} comments")

        return run.finish(fan_out(run, run.select("accounts"), work))
