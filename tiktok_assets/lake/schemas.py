"""One explicit pyarrow schema per lake table: the public contract for dbt and BI tools.

Why explicit: a schema inferred from a page changes when the page is empty or a field is missing,
and a reader then sees a different table each day. These never change without a docs update
(``docs/data-dictionary.md``). Counts are int64 (TikTok counts exceed 2^31); ids are strings (19-digit
ids lose precision as doubles); times are ``timestamp[s, tz=UTC]``. Every row carries its natural id,
``partition_date`` (the Delta partition column), ``tracked_entity`` (the tracked account,
hashtag, keyword or discovering source: a column, never a folder) and ``captured_at``; ``raw`` keeps the item exactly as the API
sent it, as JSON, so schema drift loses nothing.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("s", tz="UTC")

# Columns every API table ends with.
PARTITION_FIELDS: list[pa.Field] = [
    pa.field("partition_date", pa.date32(), nullable=False),
    pa.field("tracked_entity", pa.string(), nullable=False),
    pa.field("captured_at", TS, nullable=False),
    pa.field("raw", pa.string(), nullable=False),
]


def identity_fields(prefix: str = "") -> list[pa.Field]:
    """A user's identity (``<prefix>uid``, ``unique_id``, ``sec_uid``, ``nickname``): the listed user,
    a video's author, a comment's writer."""
    return [pa.field(f"{prefix}{name}", pa.string()) for name in ("uid", "unique_id", "sec_uid", "nickname")]


USER_FIELDS: list[pa.Field] = [
    *identity_fields(),
    pa.field("signature", pa.string()),
    pa.field("follower_count", pa.int64()),
    pa.field("following_count", pa.int64()),
    pa.field("aweme_count", pa.int64()),
    pa.field("total_favorited", pa.int64()),
    pa.field("avatar_url", pa.string()),
]

VIDEO_FIELDS: list[pa.Field] = [
    pa.field("aweme_id", pa.string(), nullable=False),
    pa.field("description", pa.string()),  # API field `desc`
    pa.field("create_time", TS),
    pa.field("is_pinned", pa.bool_()),
    *identity_fields("author_"),
    pa.field("play_count", pa.int64()),
    pa.field("digg_count", pa.int64()),
    pa.field("comment_count", pa.int64()),
    pa.field("share_count", pa.int64()),
    pa.field("collect_count", pa.int64()),
    pa.field("music_id", pa.string()),
    pa.field("music_title", pa.string()),
    pa.field("music_author", pa.string()),
    pa.field("video_duration_ms", pa.int64()),
    pa.field("cover_url", pa.string()),
]

VIDEO_DETAIL_EXTRA: list[pa.Field] = [
    pa.field("play_url", pa.string()),
    pa.field("download_url", pa.string()),
    pa.field("video_width", pa.int64()),
    pa.field("video_height", pa.int64()),
    pa.field("hashtags", pa.list_(pa.string())),  # cha_list[].cha_name
    pa.field("mentions", pa.list_(pa.string())),  # text_extra[] user mentions (unique_id / user_id)
    pa.field("discovered_via", pa.string()),  # posts | hashtag_videos | search_videos
]

COMMENT_FIELDS: list[pa.Field] = [
    pa.field("cid", pa.string(), nullable=False),
    pa.field("aweme_id", pa.string(), nullable=False),
    pa.field("text", pa.string()),
    pa.field("create_time", TS),
    pa.field("digg_count", pa.int64()),
    pa.field("reply_comment_total", pa.int64()),
    pa.field("is_author_digged", pa.bool_()),
    *identity_fields("user_"),
    pa.field("user_avatar_url", pa.string()),
]

# A search's rows: the tracked keyword and the 1-based position in the result stream.
SEARCH_FIELDS: list[pa.Field] = [
    pa.field("keyword", pa.string(), nullable=False),
    pa.field("search_rank", pa.int64(), nullable=False),
]

# A follow list's rows (followers or followings): the listed user's own fields + the tracked account.
FOLLOW_LIST = pa.schema([
    pa.field("owner_sec_uid", pa.string(), nullable=False),
    pa.field("owner_unique_id", pa.string()),
    *USER_FIELDS,
    *PARTITION_FIELDS,
])

SCHEMAS: dict[str, pa.Schema] = {
    # snapshot, per account: data.user
    "profiles": pa.schema([
        *USER_FIELDS,
        pa.field("bio_url", pa.string()),
        *PARTITION_FIELDS,
    ]),
    # event, per account: data.aweme_list[] of user/posts
    "posts": pa.schema([*VIDEO_FIELDS, *PARTITION_FIELDS]),
    # event, per discovering entity: data.aweme_detail of /video for ids found by posts/hashtag_videos/search_videos
    "videos": pa.schema([*VIDEO_FIELDS, *VIDEO_DETAIL_EXTRA, *PARTITION_FIELDS]),
    # event, per account (comments on the account's selected videos)
    "comments": pa.schema([*COMMENT_FIELDS, *PARTITION_FIELDS]),
    # event, per account: replies to the selected top comments
    "comment_replies": pa.schema([
        *COMMENT_FIELDS,
        pa.field("reply_to_cid", pa.string(), nullable=False),
        *PARTITION_FIELDS,
    ]),
    # event, per keyword: data.aweme_list[] of search/videos
    "search_videos": pa.schema([
        *SEARCH_FIELDS,
        pa.field("publish_time_window", pa.string()),
        *VIDEO_FIELDS,
        *PARTITION_FIELDS,
    ]),
    # snapshot, per keyword: data.user_list[].user_info
    "search_users": pa.schema([
        *SEARCH_FIELDS,
        *USER_FIELDS,
        *PARTITION_FIELDS,
    ]),
    # snapshot, per hashtag: data.challengeInfo
    "hashtags": pa.schema([
        pa.field("hashtag_id", pa.string(), nullable=False),
        pa.field("hashtag_name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("video_count", pa.int64()),
        pa.field("view_count", pa.int64()),
        *PARTITION_FIELDS,
    ]),
    # event, per hashtag: data.aweme_list[] of hashtag/videos
    "hashtag_videos": pa.schema([
        pa.field("hashtag_id", pa.string(), nullable=False),
        pa.field("hashtag_name", pa.string()),
        *VIDEO_FIELDS,
        *PARTITION_FIELDS,
    ]),
    # snapshot, per account: data.followers[] / data.followings[]
    "followers": FOLLOW_LIST,
    "followings": FOLLOW_LIST,
    # one row per request that reached the API; flush_id = the ledger flush that wrote it
    "credit_ledger": pa.schema([
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("asset", pa.string()),
        pa.field("partition", pa.string()),
        pa.field("endpoint", pa.string(), nullable=False),
        pa.field("entity", pa.string()),
        pa.field("params_hash", pa.string(), nullable=False),
        pa.field("http_status", pa.int64(), nullable=False),
        pa.field("credits_used", pa.int64(), nullable=False),
        pa.field("credits_remaining", pa.int64()),
        pa.field("latency_ms", pa.float64()),
        pa.field("requested_at", TS, nullable=False),
        pa.field("flush_id", pa.string()),
        pa.field("partition_date", pa.date32(), nullable=False),
    ]),
    # one row per (asset run, tracked entity): how its capture went; written by every API asset
    "entity_status": pa.schema([
        pa.field("asset", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),  # ok | renamed | empty | cap_hit | unchanged | not_found | failed
        pa.field("detail", pa.string()),
        pa.field("rows", pa.int64(), nullable=False),
        pa.field("window_start", pa.date32(), nullable=False),
        pa.field("window_end", pa.date32(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("tracked_entity", pa.string(), nullable=False),
        pa.field("captured_at", TS, nullable=False),
        pa.field("partition_date", pa.date32(), nullable=False),
    ]),
}

# What kind of entity ``tracked_entity`` names, per table (the ledger's rows belong to a flush, ``flush_id``).
ENTITY_KIND: dict[str, str] = {
    "profiles": "account",
    "posts": "account",
    "videos": "source",  # source=<kind>:<key> of the stream that discovered the video
    "comments": "account",
    "comment_replies": "account",
    "search_videos": "keyword",
    "search_users": "keyword",
    "hashtags": "hashtag",
    "hashtag_videos": "hashtag",
    "followers": "account",
    "followings": "account",
    "credit_ledger": "run",
    "entity_status": "entity",
}

# Tables written by their own API asset (``tiktok/<table>``); the ledger and the entity status are
# written by every asset run.
API_TABLES: tuple[str, ...] = tuple(t for t in SCHEMAS if t not in ("credit_ledger", "entity_status"))
