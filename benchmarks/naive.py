"""Contender (a): the loop someone new to the Scavio API would write.

What "naive" means here, on purpose (each is a realistic first attempt, not a straw man):
- one ``httpx.Client``, strictly sequential requests;
- default page sizes (no ``count``: 20 per page), as in the reference's examples;
- every paginated stream is read until ``has_more`` says stop (0/1 or false); posts are not cut at
  the window start (``has_more`` is the documented stop rule), the window is applied to the rows
  afterwards, so the data is right but more pages are paid for;
- on a 429 it sleeps a fixed 3 s and retries (no header reading, no client-side pacing); on a 5xx or
  a dropped connection it sleeps 1 s and retries up to 5 times;
- one ``pandas.json_normalize(...).to_parquet`` per stream, holding the stream in memory.
The comments/replies selection is the workload's (the same videos and comments for every contender).

Run: ``python -m benchmarks.naive --base-url URL --workload W.json --out DIR --result R.json``
(API key from ``SCAVIO_API_KEY``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from .proc import write_result
from .workload import Workload

API = "/api/v1/tiktok"


class Naive:
    def __init__(self, base_url: str, api_key: str, out: Path) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60)
        self.out = out
        self.rows = 0
        self.requests = 0

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        errors = 0
        while True:
            try:
                resp = self.http.post(API + path, json=body)
            except httpx.TransportError:
                resp = None
            self.requests += 1
            if resp is not None and resp.status_code == 429:
                time.sleep(3)  # "Rate limit exceeded" -> wait a bit and try again
                continue
            if resp is None or resp.status_code >= 500:
                errors += 1
                if errors > 5:
                    raise RuntimeError(f"{path} kept failing")
                time.sleep(1)
                continue
            resp.raise_for_status()
            return resp.json()["data"]

    def pages(self, path: str, body: dict[str, Any], list_key: str, cursor_key: str = "cursor") -> list[dict[str, Any]]:
        """All items of a cursor/offset stream, until has_more is 0."""
        items: list[dict[str, Any]] = []
        cursor: Any = "0"
        while True:
            data = self.post(path, {**body, "cursor": cursor})
            items.extend(data.get(list_key) or [])
            if not data.get("has_more"):
                return items
            cursor = data.get(cursor_key)

    def graph(self, path: str, sec_uid: str, list_key: str) -> list[dict[str, Any]]:
        """followers / followings: page_token + min_time, has_more is a boolean."""
        items: list[dict[str, Any]] = []
        body: dict[str, Any] = {"sec_user_id": sec_uid}
        while True:
            data = self.post(path, body)
            items.extend(data.get(list_key) or [])
            if not data.get("has_more"):
                return items
            body = {"sec_user_id": sec_uid, "page_token": data.get("next_page_token"), "min_time": data.get("min_time")}

    def save(self, table: str, name: str, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        df = pd.json_normalize(items)
        path = self.out / table / f"{_safe(name)}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            df.to_parquet(path, index=False)
        except Exception:  # mixed types in a column: what a newcomer does next
            df.astype(str).to_parquet(path, index=False)
        self.rows += len(df)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def run(wl: Workload, nv: Naive) -> None:
    for account in wl.accounts:
        user = nv.post("/profile", {"username": account})["user"]
        nv.save("profiles", account, [user])
        sec = user["sec_uid"]
        posts = nv.pages("/user/posts", {"sec_user_id": sec}, "aweme_list", cursor_key="max_cursor")
        in_window = [p for p in posts if wl.in_window(p.get("create_time"))]
        nv.save("posts", account, in_window)
        comments: list[dict[str, Any]] = []
        replies: list[dict[str, Any]] = []
        for video_id in wl.comment_video_ids(in_window):
            video_comments = nv.pages("/video/comments", {"video_id": video_id}, "comments")
            comments.extend(video_comments)
            for cid in wl.reply_comment_ids(video_comments):
                replies.extend(nv.pages("/video/comments/replies", {"video_id": video_id, "comment_id": cid}, "comments"))
        nv.save("comments", account, comments)
        nv.save("comment_replies", account, replies)
        nv.save("followers", account, nv.graph("/user/followers", sec, "followers"))
        nv.save("followings", account, nv.graph("/user/followings", sec, "followings"))
    for tag in wl.hashtags:
        info = nv.post("/hashtag", {"hashtag_name": tag})["challengeInfo"]
        nv.save("hashtags", tag, [info])
        videos = nv.pages("/hashtag/videos", {"hashtag_id": info["challenge"]["id"]}, "aweme_list")
        nv.save("hashtag_videos", tag, [v for v in videos if wl.in_window(v.get("create_time"))])
    for keyword in wl.keywords:
        videos = nv.pages("/search/videos", {"keyword": keyword, "publish_time": wl.publish_time}, "aweme_list")
        nv.save("search_videos", keyword, [v for v in videos if wl.in_window(v.get("create_time"))])
        users = nv.pages("/search/users", {"keyword": keyword}, "user_list")
        nv.save("search_users", keyword, users)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--workload", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--result", required=True)
    args = ap.parse_args()
    wl = Workload.load(args.workload)
    nv = Naive(args.base_url, os.environ["SCAVIO_API_KEY"], Path(args.out))
    started, started_at = time.perf_counter(), time.time()
    run(wl, nv)
    write_result(args.result, wall_seconds=time.perf_counter() - started, started_at=started_at, rows=nv.rows,
                 requests=nv.requests)


if __name__ == "__main__":
    main()
