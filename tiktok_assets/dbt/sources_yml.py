"""Render ``dbt_project/models/sources.yml`` from the lake contract (``lake/schemas.py``).

Why generated: the lake schemas are the one public contract. The dbt sources carry every column with
its DuckDB type, and the ``lake_table`` macro builds its typed SELECT (and the empty typed SELECT for a
table with no files yet) from those columns, so a hand-kept copy would drift. The committed file is
checked against :func:`render_sources_yml` by ``tests/dbt/test_sources_contract.py``; regenerate with
``python -m tiktok_assets.dbt.sources_yml``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import yaml

from tiktok_assets.lake.schemas import ENTITY_KIND, SCHEMAS

SOURCE_NAME = "lake"
ASSET_KEY_PREFIX = "tiktok"

TABLE_DOCS: dict[str, str] = {
    "profiles": "Snapshot of each tracked account's profile (data.user), one capture per account per day.",
    "posts": "Videos listed by user/posts for each tracked account (event stream).",
    "videos": "Video details (/video) for ids discovered by posts, hashtag_videos or search_videos.",
    "comments": "Top-level comments on each tracked account's selected videos.",
    "comment_replies": "Replies to the selected top-level comments.",
    "search_videos": "Video results of each tracked keyword search, with their 1-based rank.",
    "search_users": "User results of each tracked keyword search, with their 1-based rank.",
    "hashtags": "Snapshot of each tracked hashtag (data.challengeInfo).",
    "hashtag_videos": "Videos listed under each tracked hashtag (event stream).",
    "followers": "Followers of each tracked account (the follower's fields + the followed owner).",
    "followings": "Accounts each tracked account follows (the followed user's fields + the owner).",
    "credit_ledger": "One row per request that reached the API, with the credits it used (flush_id = the flush that wrote it).",
    "entity_status": "One row per asset run and tracked entity: how its capture went (ok, renamed, empty, cap_hit, unchanged, not_found, failed).",
}

COLUMN_DOCS: dict[str, str] = {
    # partition columns
    "partition_date": "Daily partition (UTC day) of the Delta table; the partition_date= folder. Snapshot tables: the capture day; event tables: the item's creation day.",
    "tracked_entity": "The tracked account, hashtag, keyword or discovering source (kind:key) the row was captured for (a column, never a folder).",
    "captured_at": "When the row was fetched from the API (UTC).",
    "raw": "The item exactly as the API sent it, as JSON.",
    # users
    "uid": "Numeric TikTok user id (as a string).",
    "unique_id": "Username (handle).",
    "sec_uid": "Secure user id, the stable account key used by the API.",
    "nickname": "Display name.",
    "signature": "Profile bio text.",
    "follower_count": "Followers at capture time.",
    "following_count": "Accounts followed at capture time.",
    "aweme_count": "Videos posted at capture time.",
    "total_favorited": "Total likes received at capture time.",
    "avatar_url": "Avatar image URL.",
    "bio_url": "Link in bio, when present.",
    # videos
    "aweme_id": "Video id (19-digit, as a string).",
    "description": "Caption text (API field desc) or hashtag description.",
    "create_time": "When the video or comment was created (UTC).",
    "is_pinned": "Whether the video is pinned on the author's profile.",
    "author_uid": "Author's numeric user id.",
    "author_unique_id": "Author's username.",
    "author_sec_uid": "Author's secure user id.",
    "author_nickname": "Author's display name.",
    "play_count": "Plays at capture time.",
    "digg_count": "Likes at capture time.",
    "comment_count": "Comments at capture time.",
    "share_count": "Shares at capture time.",
    "collect_count": "Saves (collects) at capture time.",
    "music_id": "Sound id.",
    "music_title": "Sound title.",
    "music_author": "Sound author.",
    "video_duration_ms": "Video duration in milliseconds.",
    "cover_url": "Cover image URL.",
    "play_url": "Playback URL.",
    "download_url": "Download URL.",
    "video_width": "Video width in pixels.",
    "video_height": "Video height in pixels.",
    "hashtags": "Hashtag names on the video (cha_list[].cha_name).",
    "mentions": "Users mentioned in the caption.",
    "discovered_via": "Stream that discovered the video: posts, hashtag_videos or search_videos.",
    # comments
    "cid": "Comment id.",
    "text": "Comment text.",
    "reply_comment_total": "Reply count reported by the API.",
    "is_author_digged": "Whether the video's author liked the comment.",
    "user_uid": "Commenter's numeric user id.",
    "user_unique_id": "Commenter's username.",
    "user_sec_uid": "Commenter's secure user id.",
    "user_nickname": "Commenter's display name.",
    "user_avatar_url": "Commenter's avatar URL.",
    "reply_to_cid": "Id of the top-level comment this reply answers.",
    # search
    "keyword": "Search keyword.",
    "search_rank": "1-based position in the result stream.",
    "publish_time_window": "Publish-time filter of the search, when set.",
    # hashtags
    "hashtag_id": "Hashtag (challenge) id.",
    "hashtag_name": "Hashtag name without '#'.",
    "video_count": "Videos under the hashtag at capture time.",
    "view_count": "Views of the hashtag at capture time.",
    # follow graph
    "owner_sec_uid": "Secure user id of the tracked account whose list this row belongs to.",
    "owner_unique_id": "Username of that tracked account.",
    # credit ledger
    "run_id": "Dagster run (or CLI run) that made the request.",
    "asset": "Asset that made the request.",
    "partition": "Partition key of the asset run.",
    "endpoint": "API endpoint path.",
    "entity": "Entity (account, hashtag, keyword, video id) the request was for.",
    "params_hash": "Hash of the request parameters (never the parameters or the key).",
    "http_status": "HTTP status of the answer.",
    "credits_used": "Credits the request used (0 for errors that cost nothing).",
    "credits_remaining": "Balance reported by the API after the request, when known.",
    "latency_ms": "Request latency in milliseconds.",
    "requested_at": "When the request was sent (UTC).",
    "flush_id": "The ledger flush that wrote the row (<run_id>.<asset>-<8 hex>).",
    # entity status
    "status": "ok (rows captured), renamed (captured by sec_uid after the tracked handle answered 404), empty (captured, none), cap_hit (a list cap reached), unchanged (skipped, counts equal), not_found (404: deleted, private or unknown), failed (another error).",
    "detail": "The error or the run's notes for the entity.",
    "rows": "Rows the run captured for the entity.",
    "window_start": "First day of the run's range.",
    "window_end": "Last day of the run's range.",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type a Parquet column of ``arrow_type`` is read as (and cast to)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "varchar"
    if pa.types.is_int64(arrow_type):
        return "bigint"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date32(arrow_type):
        return "date"
    if pa.types.is_float64(arrow_type):
        return "double"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp with time zone" if arrow_type.tz else "timestamp"
    if pa.types.is_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    raise TypeError(f"no DuckDB type mapping for lake column type {arrow_type}")


def sources_document() -> dict:
    """The sources.yml content as a Python structure."""
    tables = []
    for table, schema in SCHEMAS.items():
        missing = [f.name for f in schema if f.name not in COLUMN_DOCS]
        if missing:
            raise KeyError(f"lake table {table!r}: no description for columns {missing} in COLUMN_DOCS")
        tables.append({
            "name": table,
            "description": TABLE_DOCS[table],
            "config": {"meta": {
                "entity_kind": ENTITY_KIND[table],
                "dagster": {"asset_key": [ASSET_KEY_PREFIX, table]},
            }},
            "columns": [
                {"name": f.name, "data_type": duckdb_type(f.type), "description": COLUMN_DOCS[f.name]}
                for f in schema
            ],
        })
    return {"version": 2, "sources": [{
        "name": SOURCE_NAME,
        "description": "The Delta Lake tables written by the tiktok assets (<lake>/<table>/, partitioned by partition_date; every capture kept); read through the lake_table() macro over each table's live files.",
        "tables": tables,
    }]}


def render_sources_yml() -> str:
    header = "# GENERATED by `python -m tiktok_assets.dbt.sources_yml` from tiktok_assets/lake/schemas.py. Do not edit.\n"
    return header + yaml.safe_dump(sources_document(), sort_keys=False, allow_unicode=True, width=120)


def sources_yml_path() -> Path:
    from tiktok_assets.dbt.project import DBT_PROJECT_DIR

    return DBT_PROJECT_DIR / "models" / "sources.yml"


def main() -> int:
    path = sources_yml_path()
    path.write_text(render_sources_yml(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
