"""A tiny hand-written lake (2 capture days) in the public layout: Delta tables written with deltalake.

Why hand-written rather than produced by the lake writer: the dbt project must be testable against
the contract (``lake/schemas.py`` + one Delta table per lake table, partitioned by
``partition_date``) alone. Rows are plain dicts so the tests can
compute the expected mart figures in Python from the very same rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timezone

import pyarrow as pa
from deltalake import write_deltalake

from tiktok_assets.lake.schemas import SCHEMAS

D1 = date(2026, 11, 20)
D2 = date(2026, 11, 21)

LINA = "MS4wLjABAAAA_lina"
RUNNER = "MS4wLjABAAAA_runner"
F1, F2, F3 = "MS4wLjABAAAA_f1", "MS4wLjABAAAA_f2", "MS4wLjABAAAA_f3"
V1, V2, V3, V4, V5, V6, V7, V8 = (f"73000000000000000{i:02d}" for i in range(1, 9))
C1, C2 = "7400000000000000001", "7400000000000000002"
R1, R2, R3 = "7500000000000000001", "7500000000000000002", "7500000000000000003"
HASHTAG_ID = "1001"
KEYWORD = "東京 ramen 🍜"
RUN_ID = "run-abc123"


def ts(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def _user(sec_uid: str, username: str, followers: int = 10, following: int = 5, videos: int = 1, likes: int = 7) -> dict:
    return {
        "uid": f"uid-{username}", "unique_id": username, "sec_uid": sec_uid, "nickname": username.title(),
        "signature": f"bio of {username}", "follower_count": followers, "following_count": following,
        "aweme_count": videos, "total_favorited": likes, "avatar_url": f"https://img/{username}.jpg",
    }


def _video(aweme_id: str, created: datetime, author: str, plays: int, likes: int, comments: int,
           shares: int, collects: int, pinned: bool = False) -> dict:
    return {
        "aweme_id": aweme_id, "description": f"video {aweme_id[-2:]} 'quoted' 🍜", "create_time": created,
        "is_pinned": pinned, "author_uid": f"uid-{author}", "author_unique_id": author,
        "author_sec_uid": LINA if author == "chef_lina" else RUNNER, "author_nickname": author.title(),
        "play_count": plays, "digg_count": likes, "comment_count": comments, "share_count": shares,
        "collect_count": collects, "music_id": "m1", "music_title": "song", "music_author": "dj",
        "video_duration_ms": 15000, "cover_url": "https://img/c.jpg",
    }


def _comment(cid: str, aweme_id: str, created: datetime, likes: int, reply_total: int, author_liked: bool) -> dict:
    return {
        "cid": cid, "aweme_id": aweme_id, "text": f"comment {cid[-1]}", "create_time": created,
        "digg_count": likes, "reply_comment_total": reply_total, "is_author_digged": author_liked,
        "user_uid": "u9", "user_unique_id": "fan9", "user_sec_uid": "MS4_fan9", "user_nickname": "Fan",
        "user_avatar_url": None,
    }


def fixture_rows(with_ledger: bool = False) -> dict[str, list[dict]]:
    """Rows per table. Each row holds its partition fields; ``_entity`` is the folder key."""
    rows: dict[str, list[dict]] = defaultdict(list)

    def add(table: str, entity: str, day: date, captured: datetime, **fields) -> None:
        row = {"partition_date": day, "tracked_entity": entity, "captured_at": captured, **fields}
        row["raw"] = json.dumps({k: str(v) for k, v in fields.items()}, ensure_ascii=False)
        rows[table].append(row)

    # profiles: lina grows; on D2 an earlier, stale capture must lose to the later one.
    add("profiles", "chef_lina", D1, ts(D1, 9), **_user(LINA, "chef_lina", 1000, 50, 10, 20000), bio_url=None)
    add("profiles", "chef_lina", D2, ts(D2, 8), **_user(LINA, "chef_lina", 1050, 51, 10, 20100), bio_url=None)
    add("profiles", "chef_lina", D2, ts(D2, 12), **_user(LINA, "chef_lina", 1100, 52, 11, 20500), bio_url="https://lina.example")
    add("profiles", "urban_runner", D1, ts(D1, 9), **_user(RUNNER, "urban_runner", 500, 80, 3, 900), bio_url=None)
    add("profiles", "urban_runner", D2, ts(D2, 9), **_user(RUNNER, "urban_runner", 480, 81, 3, 950), bio_url=None)

    # posts: V1 grows, V2 has 0 plays, V3 belongs to the runner and is seen on D1 only.
    created_v1 = ts(date(2026, 11, 19), 10)
    add("posts", "chef_lina", D1, ts(D1, 10), **_video(V1, created_v1, "chef_lina", 1000, 100, 10, 5, 5, pinned=True))
    add("posts", "chef_lina", D1, ts(D1, 10), **_video(V2, ts(D1, 6), "chef_lina", 0, 0, 0, 0, 0))
    add("posts", "chef_lina", D2, ts(D2, 12), **_video(V1, created_v1, "chef_lina", 2000, 150, 20, 10, 20, pinned=True))
    add("posts", "chef_lina", D2, ts(D2, 12), **_video(V2, ts(D1, 6), "chef_lina", 0, 0, 0, 0, 0))
    add("posts", "urban_runner", D1, ts(D1, 10), **_video(V3, ts(D1, 7), "urban_runner", 400, 40, 4, 2, 2))

    # videos: V1's detail on D2 is captured after the post list, so its stats win that day.
    add("videos", f"posts:chef_lina", D2, ts(D2, 12, 5),
        **_video(V1, created_v1, "chef_lina", 2100, 160, 20, 10, 20, pinned=True),
        play_url="https://v/1.mp4", download_url=None, video_width=720, video_height=1280,
        hashtags=["cooking", "fyp"], mentions=["urban_runner"], discovered_via="posts")

    # comments + a reply thread on C1 (R2 seen on both days -> 3 distinct replies observed).
    add("comments", "chef_lina", D1, ts(D1, 11), **_comment(C1, V1, ts(D1, 1), 5, 3, True))
    add("comments", "chef_lina", D1, ts(D1, 11), **_comment(C2, V1, ts(D1, 2), 1, 0, False))
    add("comments", "chef_lina", D2, ts(D2, 13), **_comment(C1, V1, ts(D1, 1), 9, 4, True))
    add("comment_replies", "chef_lina", D1, ts(D1, 11), **_comment(R1, V1, ts(D1, 3), 0, 0, False), reply_to_cid=C1)
    add("comment_replies", "chef_lina", D1, ts(D1, 11), **_comment(R2, V1, ts(D1, 4), 2, 0, True), reply_to_cid=C1)
    add("comment_replies", "chef_lina", D2, ts(D2, 13), **_comment(R2, V1, ts(D1, 4), 3, 0, True), reply_to_cid=C1)
    add("comment_replies", "chef_lina", D2, ts(D2, 13), **_comment(R3, V1, ts(D2, 2), 0, 0, False), reply_to_cid=C1)

    # one hashtag: snapshots on both days; videos created on D1 (V4), D2 (V6, V7 late evening UTC).
    for day, vcount, views in ((D1, 100, 1_000_000), (D2, 110, 1_200_000)):
        add("hashtags", "cooking", day, ts(day, 14), hashtag_id=HASHTAG_ID, hashtag_name="cooking",
            description="Cook with us", video_count=vcount, view_count=views)
    tagged = {D1: [(V1, created_v1), (V4, ts(D1, 8)), (V5, ts(date(2026, 11, 10), 8))],
              D2: [(V4, ts(D1, 8)), (V6, ts(D2, 1)), (V7, ts(D2, 23, 30))]}
    for day, items in tagged.items():
        for vid, created in items:
            add("hashtag_videos", "cooking", day, ts(day, 14), hashtag_id=HASHTAG_ID, hashtag_name="cooking",
                **_video(vid, created, "urban_runner", 300, 30, 3, 1, 1))

    # search: V8 repeats across pages on D1 (keeps rank 1); users ranked too.
    for rank, vid in ((1, V8), (2, V1), (3, V8)):
        add("search_videos", KEYWORD, D1, ts(D1, 15), keyword=KEYWORD, search_rank=rank, publish_time_window=None,
            **_video(vid, created_v1, "chef_lina", 900, 90, 9, 9, 9))
    add("search_videos", KEYWORD, D2, ts(D2, 15), keyword=KEYWORD, search_rank=1, publish_time_window=None,
        **_video(V1, created_v1, "chef_lina", 1900, 150, 20, 10, 20))
    add("search_users", KEYWORD, D1, ts(D1, 15), keyword=KEYWORD, search_rank=1, **_user(LINA, "chef_lina"))
    add("search_users", KEYWORD, D1, ts(D1, 15), keyword=KEYWORD, search_rank=2, **_user(F3, "ramen_fan"))

    # follow graph: lina's followers change; lina -> runner is seen in both lists.
    for day, followers in ((D1, [F1, F2]), (D2, [F2, F3])):
        for sec in followers:
            add("followers", "chef_lina", day, ts(day, 16), owner_sec_uid=LINA, owner_unique_id="chef_lina",
                **_user(sec, f"user_{sec[-2:]}"))
    add("followings", "chef_lina", D1, ts(D1, 16), owner_sec_uid=LINA, owner_unique_id="chef_lina",
        **_user(RUNNER, "urban_runner"))
    add("followers", "urban_runner", D2, ts(D2, 16), owner_sec_uid=RUNNER, owner_unique_id="urban_runner",
        **_user(LINA, "chef_lina"))

    if with_ledger:
        for i, (status, credits, remaining) in enumerate(((200, 1, 99), (429, 0, None), (200, 1, 98))):
            rows["credit_ledger"].append({
                "run_id": RUN_ID, "asset": "profiles", "partition": f"chef_lina|{D1}", "endpoint": "/tiktok/profile",
                "entity": "chef_lina", "params_hash": "h1", "http_status": status, "credits_used": credits,
                "credits_remaining": remaining, "latency_ms": 10.0 + i, "requested_at": ts(D1, 9, i),
                "partition_date": D1,
            })
        rows["credit_ledger"].append({
            "run_id": RUN_ID, "asset": "posts", "partition": f"chef_lina|{D1}", "endpoint": "/tiktok/user/posts",
            "entity": "chef_lina", "params_hash": "h2", "http_status": 200, "credits_used": 1,
            "credits_remaining": 97, "latency_ms": 20.0, "requested_at": ts(D1, 10), "partition_date": D1,
        })
    return dict(rows)


def write_lake(lake_url: str, rows: dict[str, list[dict]], storage_options: dict[str, str] | None = None) -> list[str]:
    """Append ``rows`` to the lake's Delta tables: one commit per (table, day, entity), as a capture
    adds its rows. Returns the table URIs written."""
    groups: dict[tuple[str, date, str], list[dict]] = defaultdict(list)
    for table, table_rows in rows.items():
        for row in table_rows:
            entity = row.get("tracked_entity") or row["run_id"]
            groups[(table, row["partition_date"], entity)].append(row)
    written = []
    for (table, _day, _entity), group in sorted(groups.items()):
        schema = SCHEMAS[table]
        uri = f"{lake_url.rstrip('/')}/{table}"
        data = pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in group], schema=schema)
        write_deltalake(uri, data, partition_by=["partition_date"], mode="append", storage_options=storage_options)
        if uri not in written:
            written.append(uri)
    return written
