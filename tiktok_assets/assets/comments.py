"""``tiktok/comments`` and ``tiktok/comment_replies`` (events), per tracked account.

comments: partition D = comments created on D on the account's selected videos. The reference
documents no order for comments or replies (TikTok serves them most liked first), so no stream here
stops on ``create_time``: each selected video's comments and each chosen comment's replies are read
to ``has_more`` 0, one full pass each; we keep the items created in the range. Videos are selected from the ``posts`` lake table (created up to the range end): the N
most recent (``videos_per_account``, default 10) or the N most commented (``video_selection:
engaged``). TikTok serves about the top 1,000 comments per video; reaching that is noted in metadata.
comment_replies: partition D = replies created on D to the top M comments per video
(``comments_per_video``, default 5, by ``reply_comment_total``, only comments that have replies)
found in the range's ``comments`` partitions. A video or comment deleted meanwhile (404) is noted
and skipped without failing the account.
Concurrency: every (video) and (video, comment) stream of all accounts runs concurrently
(``assets/streams.py``); pages of one stream stay sequential.
Reruns: a video whose ``comment_count`` (freshest ``posts`` row) and a comment whose
``reply_comment_total`` equal the counts recorded when the range's partitions were written are not
fetched again; their rows are kept (``assets/state.py``, ``assets/unchanged.py``). ``refresh: true``
fetches everything.
"""


from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pydantic import Field

from ..scavio.errors import EntityNotFoundError
from .fanout import EntityOutcome
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .state import StreamState
from .streams import EntityPlan, fan_out_streams
from .unchanged import copy_rows, decide, in_set, pair_in_set, save_all

COMMENTS_CAP = 1000


class CommentsConfig(TikTokConfig):
    videos_per_account: int = Field(default=10, ge=1, description="How many of each account's videos to read comments of.")
    video_selection: str = Field(default="recent", pattern="^(recent|engaged)$", description="recent = newest; engaged = most comments.")


class RepliesConfig(TikTokConfig):
    comments_per_video: int = Field(default=5, ge=1, description="Top comments (by reply count) per video to read replies of.")


def select_videos(run: AssetRun, accounts: list[str], n: int, how: str) -> dict[str, dict[str, int | None]]:
    """account -> {video id: comment_count} of its selected videos (from ONE read of the posts table),
    created no later than the window end; the newest observation of each video wins."""
    t = run.lake.read("posts", keys=accounts, columns=["tracked_entity", "aweme_id", "create_time", "comment_count", "captured_at"])
    end = pa.scalar(datetime.fromtimestamp(run.window.end_ts_exclusive, UTC), t.schema.field("create_time").type)
    t = t.filter(pc.less(t["create_time"], end))
    latest: dict[str, dict[str, dict[str, Any]]] = {a: {} for a in accounts}
    for r in sorted(t.to_pylist(), key=lambda r: r["captured_at"]):
        latest[r["tracked_entity"]][r["aweme_id"]] = r
    key = (lambda r: (r["create_time"], r["aweme_id"])) if how == "recent" else (lambda r: (r["comment_count"] or 0, r["create_time"]))
    return {a: {r["aweme_id"]: r["comment_count"] for r in sorted(rows.values(), key=key, reverse=True)[:n]}
            for a, rows in latest.items()}


def top_comments(run: AssetRun, accounts: list[str], m: int) -> dict[str, dict[tuple[str, str], int]]:
    """account -> {(video id, cid): reply_comment_total} of the top ``m`` comments per video with
    replies, from the range's comment partitions (one read for all accounts)."""
    t = run.lake.read("comments", dates=run.window.days(), keys=accounts,
                      columns=["tracked_entity", "aweme_id", "cid", "reply_comment_total", "captured_at"])
    latest: dict[tuple[str, str, str], int | None] = {}
    for r in sorted(t.to_pylist(), key=lambda r: r["captured_at"]):  # every capture is kept: the newest count wins
        latest[(r["tracked_entity"], r["aweme_id"], r["cid"])] = r["reply_comment_total"]
    per_video: dict[tuple[str, str], dict[str, int]] = {}
    for (account, vid, cid), total in latest.items():
        if total:
            per_video.setdefault((account, vid), {})[cid] = total
    out: dict[str, dict[tuple[str, str], int]] = {a: {} for a in accounts}
    for (account, vid), totals in per_video.items():
        for cid, total in sorted(totals.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:m]:
            out[account][(vid, cid)] = total
    return out


def plan_streams(run: AssetRun, account: str, outcome: EntityOutcome, current: dict[str, int | None],
                 mask: Callable[[set[str]], Any], what: str) -> tuple[EntityPlan, DaySink | None, set[str]]:
    """The shared plan of both assets: skip unchanged streams, copy their rows, record counts on commit."""
    state = StreamState(run.lake, run.name)
    decision = decide(run, state, account, current)
    outcome.skipped = len(decision.skip)
    outcome.notes.append(f"{len(current)} {what}" + (f", {len(decision.skip)} unchanged" if decision.skip else ""))
    if decision.whole:
        outcome.notes.append("all unchanged: partitions kept")
        return EntityPlan(streams=[]), None, set()
    sink = DaySink(run, account, outcome)
    gone: set[str] = set()
    try:
        if decision.skip:
            copy_rows(run, sink, account, mask(decision.skip))
    except BaseException:
        sink.abort()
        raise

    def finish() -> None:
        sink.commit()
        save_all(run, state, account, {s: (None if s in gone else n) for s, n in current.items()})

    todo = [s for s in current if s not in decision.skip]
    return EntityPlan(streams=todo, weights=current, finish=finish, abort=sink.abort), sink, gone


def comments(context: AssetContext, config: CommentsConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "comments", scavio, lake, config, budget) as run:
        accounts = run.select("accounts")
        selected = select_videos(run, accounts, config.videos_per_account, config.video_selection) if accounts else {}
        sinks: dict[str, tuple[DaySink | None, set[str]]] = {}

        def plan(account: str, outcome: EntityOutcome) -> EntityPlan:
            p, sink, gone = plan_streams(run, account, outcome, selected[account], lambda s: in_set("aweme_id", s), "videos")
            sinks[account] = (sink, gone)
            return p

        def fetch(account: str, vid: str, outcome: EntityOutcome) -> None:
            sink, gone = sinks[account]
            assert sink is not None
            served = 0
            try:
                for page in run.client.video_comments(vid):  # streamed: one page in memory at a time
                    served += len(page.items)
                    sink.add(page.items, {"aweme_id": vid})
            except EntityNotFoundError:
                gone.add(vid)
                outcome.notes.append(f"video {vid} not found")
                return
            if served >= COMMENTS_CAP:
                outcome.notes.append(f"video {vid}: comment cap reached ({served})")

        yield from run.finish(fan_out_streams(run, accounts, plan, fetch))


def comment_replies(context: AssetContext, config: RepliesConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "comment_replies", scavio, lake, config, budget) as run:
        accounts = run.select("accounts")
        targets = top_comments(run, accounts, config.comments_per_video) if accounts else {}
        sinks: dict[str, tuple[DaySink | None, set[str]]] = {}

        def plan(account: str, outcome: EntityOutcome) -> EntityPlan:
            current = {f"{vid}/{cid}": n for (vid, cid), n in targets[account].items()}
            p, sink, gone = plan_streams(run, account, outcome, current,
                                         lambda s: pair_in_set("aweme_id", "reply_to_cid", s), "comments")
            sinks[account] = (sink, gone)
            return p

        def fetch(account: str, stream: str, outcome: EntityOutcome) -> None:
            sink, gone = sinks[account]
            assert sink is not None
            vid, cid = stream.split("/", 1)
            try:
                for page in run.client.comment_replies(vid, cid):
                    sink.add(page.items, {"aweme_id": vid, "reply_to_cid": cid})
            except EntityNotFoundError:
                gone.add(stream)
                outcome.notes.append(f"comment {cid} on {vid} not found")

        yield from run.finish(fan_out_streams(run, accounts, plan, fetch))


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"comments": AssetBody(comments, CommentsConfig), "comment_replies": AssetBody(comment_replies, RepliesConfig)}
