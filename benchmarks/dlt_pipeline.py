"""Contender (b): dlt 1.31's ``rest_api`` source into the ``filesystem`` destination as Parquet.

Configured the way dlt documents it, given what it needed to be correct (``dlt_paging.py``):
custom paginators, a pacing adapter on dlt's own retrying session, max page sizes, the same
newest-first window stop as ours, ``parallelized`` resources with ``EXTRACT__WORKERS`` = our
concurrency. Comments and replies use a "top N of the parent stream" selection that rest_api's
``resolve`` cannot express (it fans out over every parent row), so the load runs in three stages like
our assets do: (1) profiles, posts, graph, hashtags, search; (2) comments of the selected videos;
(3) replies of the selected comments. The selection reads the ids recorded while stage 1/2 items
streamed through a ``map`` step (a side channel of a few ids, not the rows).

Run: ``python -m benchmarks.dlt_pipeline --base-url URL --workload W.json --out DIR --result R.json
[--rate-limit N --rate-window S] [--workers K]`` (API key from ``SCAVIO_API_KEY``).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.helpers.requests import Client
from dlt.sources.rest_api import rest_api_source

from .dlt_paging import HasMoreCursorPaginator, PacedAdapter, SlidingWindowLimiter, TokenTimePaginator
from .proc import write_result
from .workload import MAX_COUNT, Workload

API = "/api/v1/tiktok"


def _session(limiter: SlidingWindowLimiter | None, workers: int) -> Any:
    session = Client(raise_for_status=False, request_max_attempts=8).session
    adapter = PacedAdapter(limiter, pool_maxsize=max(workers, 10))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _client(base_url: str, api_key: str, session: Any) -> dict[str, Any]:
    return {"base_url": base_url, "auth": {"type": "bearer", "token": api_key}, "session": session}


def _ep(path: str, body: dict[str, Any], selector: str, paginator: Any = "single_page") -> dict[str, Any]:
    return {"path": API + path, "method": "POST", "json": body, "data_selector": selector, "paginator": paginator}


def _res(name: str, endpoint: dict[str, Any], parent_fields: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"name": name, "endpoint": endpoint, "parallelized": True, "write_disposition": "append", **kw}
    if parent_fields:
        r["include_from_parent"] = parent_fields
    return r


def stage1(wl: Workload, client: dict[str, Any], posts_seen: dict[str, list[dict[str, Any]]]) -> Any:
    @dlt.resource(selected=False)
    def accounts() -> Any:
        yield [{"username": a} for a in wl.accounts]

    @dlt.resource(selected=False)
    def tags() -> Any:
        yield [{"name": t} for t in wl.hashtags]

    @dlt.resource(selected=False)
    def keywords() -> Any:
        yield [{"keyword": k} for k in wl.keywords]

    newest_first = HasMoreCursorPaginator("data.max_cursor", page_is_older=wl.page_reaches_start)
    src = rest_api_source({
        "client": client,
        "resources": [
            accounts, tags, keywords,
            _res("profiles", _ep("/profile", {"username": "{resources.accounts.username}"}, "data.user")),
            _res("posts", _ep("/user/posts", {"sec_user_id": "{resources.profiles.sec_uid}", "count": MAX_COUNT["user/posts"],
                                              "cursor": "0"}, "data.aweme_list", newest_first), ["unique_id"]),
            _res("followers", _ep("/user/followers", {"sec_user_id": "{resources.profiles.sec_uid}", "count": 20},
                                  "data.followers", TokenTimePaginator()), ["unique_id", "sec_uid"]),
            _res("followings", _ep("/user/followings", {"sec_user_id": "{resources.profiles.sec_uid}", "count": 20},
                                   "data.followings", TokenTimePaginator()), ["unique_id", "sec_uid"]),
            _res("hashtags", _ep("/hashtag", {"hashtag_name": "{resources.tags.name}"}, "data.challengeInfo")),
            _res("hashtag_videos", _ep("/hashtag/videos", {"hashtag_id": "{resources.hashtags.hashtag_id}", "count": 30, "cursor": 0},
                                       "data.aweme_list", HasMoreCursorPaginator(page_is_older=wl.list_reaches_start)),
                 ["hashtag_id"]),
            _res("search_videos", _ep("/search/videos", {"keyword": "{resources.keywords.keyword}", "count": 30, "cursor": 0,
                                                         "publish_time": wl.publish_time}, "data.aweme_list", HasMoreCursorPaginator()),
                 ["keyword"]),
            _res("search_users", _ep("/search/users", {"keyword": "{resources.keywords.keyword}", "count": 30, "cursor": 0},
                                     "data.user_list", HasMoreCursorPaginator()), ["keyword"]),
        ],
    })
    in_window = lambda item: wl.in_window(item.get("create_time"))  # noqa: E731

    def remember(item: dict[str, Any]) -> dict[str, Any]:
        posts_seen[item["_profiles_unique_id"]].append({"aweme_id": item["aweme_id"], "create_time": item["create_time"]})
        return item

    # include_from_parent takes top-level fields only: lift the nested challenge.id
    src.resources["hashtags"].add_map(lambda h: {**h, "hashtag_id": (h.get("challenge") or {}).get("id")})
    src.resources["posts"].add_filter(in_window).add_map(remember)
    src.resources["hashtag_videos"].add_filter(in_window)
    src.resources["search_videos"].add_filter(in_window)
    return src


def stage2(wl: Workload, client: dict[str, Any], videos: list[dict[str, Any]],
           comments_seen: dict[str, list[dict[str, Any]]]) -> Any:
    @dlt.resource(selected=False)
    def selected_videos() -> Any:
        yield videos

    src = rest_api_source({"client": client, "resources": [
        selected_videos,
        _res("comments", _ep("/video/comments", {"video_id": "{resources.selected_videos.aweme_id}", "count": 50, "cursor": 0},
                             "data.comments", HasMoreCursorPaginator()), ["aweme_id", "account"]),
    ]})

    def remember(item: dict[str, Any]) -> dict[str, Any]:
        comments_seen[item["_selected_videos_aweme_id"]].append(
            {k: item.get(k) for k in ("cid", "create_time", "reply_comment_total")})
        return item

    src.resources["comments"].add_filter(lambda c: wl.in_window(c.get("create_time"))).add_map(remember)
    return src


def stage3(wl: Workload, client: dict[str, Any], targets: list[dict[str, Any]]) -> Any:
    @dlt.resource(selected=False)
    def selected_comments() -> Any:
        yield targets

    src = rest_api_source({"client": client, "resources": [
        selected_comments,
        _res("comment_replies", _ep("/video/comments/replies", {"video_id": "{resources.selected_comments.aweme_id}",
                                                                "comment_id": "{resources.selected_comments.cid}", "count": 50, "cursor": 0},
                                    "data.comments", HasMoreCursorPaginator()), ["aweme_id", "cid", "account"]),
    ]})
    src.resources["comment_replies"].add_filter(lambda c: wl.in_window(c.get("create_time")))
    return src


def run(wl: Workload, base_url: str, api_key: str, out: Path, limiter: SlidingWindowLimiter | None, workers: int) -> None:
    client = _client(base_url, api_key, _session(limiter, workers))
    pipeline = dlt.pipeline(pipeline_name="tiktok_bench", destination=dlt.destinations.filesystem(bucket_url=str(out)),
                            dataset_name="tiktok", pipelines_dir=str(out.parent / "dlt_pipelines"))
    posts_seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pipeline.run(stage1(wl, client, posts_seen), loader_file_format="parquet")
    videos = [{"aweme_id": vid, "account": acct} for acct, posts in posts_seen.items() for vid in wl.comment_video_ids(posts)]
    comments_seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if videos:
        pipeline.run(stage2(wl, client, videos, comments_seen), loader_file_format="parquet")
    account_of = {v["aweme_id"]: v["account"] for v in videos}
    targets = [{"aweme_id": vid, "cid": cid, "account": account_of[vid]}
               for vid, comments in comments_seen.items() for cid in wl.reply_comment_ids(comments)]
    if targets:
        pipeline.run(stage3(wl, client, targets), loader_file_format="parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--workload", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--rate-limit", type=int, default=0)
    ap.add_argument("--rate-window", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("EXTRACT__WORKERS", str(args.workers))
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    os.environ.setdefault("DLT_DATA_DIR", str(Path(args.out).parent / "dlt_data"))
    wl = Workload.load(args.workload)
    limiter = SlidingWindowLimiter(args.rate_limit, args.rate_window) if args.rate_limit > 0 else None
    started, started_at = time.perf_counter(), time.time()
    run(wl, args.base_url, os.environ["SCAVIO_API_KEY"], Path(args.out), limiter, args.workers)
    write_result(args.result, wall_seconds=time.perf_counter() - started, started_at=started_at)


if __name__ == "__main__":
    main()
