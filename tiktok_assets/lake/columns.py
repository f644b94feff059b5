"""Which API field feeds which lake column, per table: one declarative mapping.

Why declarative: the same mapping drives :func:`tiktok_assets.lake.flatten.flatten` and the tests that
keep ``docs/data-dictionary.md`` honest. Each column maps to ``(source, extractor)`` where ``source`` is
the API field path as documented and ``extractor`` reads it from the item's *subject* (the dict the
fields live in: ``user_info`` for search users, ``challengeInfo`` for hashtags, the item otherwise).
Columns not listed here come from the caller (:data:`CALLER_COLUMNS`) or from the partition arguments.
"""

from __future__ import annotations

from typing import Any, Callable

from tiktok_assets.lake.coerce import dig, first_url_of, to_bool, to_id, to_int, to_text

Extractor = Callable[[dict[str, Any]], Any]
ColumnSpec = dict[str, tuple[str, Extractor]]


def _user(avatars: tuple[str, ...]) -> ColumnSpec:
    """USER_FIELDS read from a user object; ``avatars`` is the preference order of avatar objects."""
    return {
        "uid": ("uid", lambda s: to_id(s.get("uid"))),
        "unique_id": ("unique_id", lambda s: to_text(s.get("unique_id"))),
        "sec_uid": ("sec_uid", lambda s: to_id(s.get("sec_uid"))),
        "nickname": ("nickname", lambda s: to_text(s.get("nickname"))),
        "signature": ("signature", lambda s: to_text(s.get("signature"))),
        "follower_count": ("follower_count", lambda s: to_int(s.get("follower_count"))),
        "following_count": ("following_count", lambda s: to_int(s.get("following_count"))),
        "aweme_count": ("aweme_count", lambda s: to_int(s.get("aweme_count"))),
        "total_favorited": ("total_favorited", lambda s: to_int(s.get("total_favorited"))),
        "avatar_url": (f"{avatars[0]}.url_list[0]", lambda s: first_url_of(s, *avatars)),
    }


_PROFILE_AVATARS = ("avatar_larger", "avatar_medium", "avatar_thumb")
_LIST_AVATARS = ("avatar_thumb", "avatar_medium", "avatar_larger")


def _stat(name: str) -> tuple[str, Extractor]:
    return f"statistics.{name}", lambda s: to_int(dig(s, "statistics", name))


VIDEO: ColumnSpec = {
    "aweme_id": ("aweme_id", lambda s: to_id(s.get("aweme_id"))),
    "description": ("desc", lambda s: to_text(s.get("desc"))),
    "create_time": ("create_time (unix s)", lambda s: to_int(s.get("create_time"))),
    "is_pinned": ("is_top (0/1)", lambda s: to_bool(s.get("is_top"))),
    "author_uid": ("author.uid", lambda s: to_id(dig(s, "author", "uid"))),
    "author_unique_id": ("author.unique_id", lambda s: to_text(dig(s, "author", "unique_id"))),
    "author_sec_uid": ("author.sec_uid", lambda s: to_id(dig(s, "author", "sec_uid"))),
    "author_nickname": ("author.nickname", lambda s: to_text(dig(s, "author", "nickname"))),
    "play_count": _stat("play_count"),
    "digg_count": _stat("digg_count"),
    "comment_count": _stat("comment_count"),
    "share_count": _stat("share_count"),
    "collect_count": _stat("collect_count"),
    "music_id": ("music.id", lambda s: to_id(dig(s, "music", "id"))),
    "music_title": ("music.title", lambda s: to_text(dig(s, "music", "title"))),
    "music_author": ("music.author", lambda s: to_text(dig(s, "music", "author"))),
    "video_duration_ms": ("video.duration (ms)", lambda s: to_int(dig(s, "video", "duration"))),
    "cover_url": ("video.cover.url_list[0]", lambda s: first_url_of(s.get("video"), "cover", "origin_cover")),
}


def _hashtag_names(s: dict[str, Any]) -> list[str] | None:
    chas = s.get("cha_list")
    if not isinstance(chas, list):
        return None
    names = (to_text(dig(c, "cha_name")) for c in chas)
    return list(dict.fromkeys(n for n in names if n))


def _mentions(s: dict[str, Any]) -> list[str] | None:
    """User mentions of ``text_extra``: type 0 (or no type) entries carrying a user handle or id."""
    extras = s.get("text_extra")
    if not isinstance(extras, list):
        return None
    found: list[str] = []
    for entry in extras:
        if not isinstance(entry, dict) or to_int(entry.get("type")) not in (0, None):
            continue
        who = to_text(entry.get("unique_id")) or to_id(entry.get("user_id"))
        if who:
            found.append(who)
    return list(dict.fromkeys(found))


VIDEO_DETAIL: ColumnSpec = {
    "play_url": ("video.play_addr.url_list[0]", lambda s: first_url_of(s.get("video"), "play_addr")),
    "download_url": ("video.download_addr.url_list[0]", lambda s: first_url_of(s.get("video"), "download_addr")),
    "video_width": ("video.width", lambda s: to_int(dig(s, "video", "width"))),
    "video_height": ("video.height", lambda s: to_int(dig(s, "video", "height"))),
    "hashtags": ("cha_list[].cha_name", _hashtag_names),
    "mentions": ("text_extra[] type 0: unique_id (else user_id)", _mentions),
}

COMMENT: ColumnSpec = {
    "cid": ("cid", lambda s: to_id(s.get("cid"))),
    "aweme_id": ("aweme_id (else caller's extra aweme_id)", lambda s: to_id(s.get("aweme_id"))),
    "text": ("text", lambda s: to_text(s.get("text"))),
    "create_time": ("create_time (unix s)", lambda s: to_int(s.get("create_time"))),
    "digg_count": ("digg_count", lambda s: to_int(s.get("digg_count"))),
    "reply_comment_total": ("reply_comment_total", lambda s: to_int(s.get("reply_comment_total"))),
    "is_author_digged": ("is_author_digged (0/1)", lambda s: to_bool(s.get("is_author_digged"))),
    "user_uid": ("user.uid", lambda s: to_id(dig(s, "user", "uid"))),
    "user_unique_id": ("user.unique_id", lambda s: to_text(dig(s, "user", "unique_id"))),
    "user_sec_uid": ("user.sec_uid", lambda s: to_id(dig(s, "user", "sec_uid"))),
    "user_nickname": ("user.nickname", lambda s: to_text(dig(s, "user", "nickname"))),
    "user_avatar_url": ("user.avatar_thumb.url_list[0]", lambda s: first_url_of(s.get("user"), *_LIST_AVATARS)),
}


def _hashtag_stat(name: str) -> Extractor:
    """``stats.<name>`` under challengeInfo, else under challenge, else the string-valued statsV2."""
    def read(s: dict[str, Any]) -> int | None:
        for path in (("stats",), ("challenge", "stats"), ("statsV2",), ("challenge", "statsV2")):
            value = to_int(dig(s, *path, name))
            if value is not None:
                return value
        return None
    return read


HASHTAG: ColumnSpec = {
    "hashtag_id": ("challengeInfo.challenge.id", lambda s: to_id(dig(s, "challenge", "id"))),
    "hashtag_name": ("challengeInfo.challenge.title", lambda s: to_text(dig(s, "challenge", "title"))),
    "description": ("challengeInfo.challenge.desc", lambda s: to_text(dig(s, "challenge", "desc"))),
    "video_count": ("challengeInfo.stats.videoCount (or challenge.stats)", _hashtag_stat("videoCount")),
    "view_count": ("challengeInfo.stats.viewCount (or challenge.stats)", _hashtag_stat("viewCount")),
}

# Per table: the item-derived columns.
SPECS: dict[str, ColumnSpec] = {
    "profiles": {**_user(_PROFILE_AVATARS), "bio_url": ("bio_url", lambda s: to_text(s.get("bio_url")))},
    "posts": VIDEO,
    "videos": {**VIDEO, **VIDEO_DETAIL},
    "comments": COMMENT,
    "comment_replies": COMMENT,
    "search_videos": VIDEO,
    "search_users": _user(_LIST_AVATARS),
    "hashtags": HASHTAG,
    "hashtag_videos": VIDEO,
    "followers": _user(_LIST_AVATARS),
    "followings": _user(_LIST_AVATARS),
}

# Per table: columns the caller supplies through ``extra`` (the API item does not carry them).
CALLER_COLUMNS: dict[str, tuple[str, ...]] = {
    "videos": ("discovered_via",),
    "comments": ("aweme_id",),
    "comment_replies": ("aweme_id", "reply_to_cid"),
    "search_videos": ("keyword", "search_rank", "publish_time_window"),
    "search_users": ("keyword", "search_rank"),
    "hashtag_videos": ("hashtag_id", "hashtag_name"),
    "followers": ("owner_sec_uid", "owner_unique_id"),
    "followings": ("owner_sec_uid", "owner_unique_id"),
}


def subject(table: str, item: dict[str, Any]) -> dict[str, Any]:
    """The dict a table's fields live in (accepts the documented wrappers, tolerates the bare object)."""
    if table == "search_users":
        inner = item.get("user_info")
        return inner if isinstance(inner, dict) else item
    if table == "hashtags":
        inner = item.get("challengeInfo")
        if isinstance(inner, dict):
            return inner
        inner = dig(item, "data", "challengeInfo")
        return inner if isinstance(inner, dict) else item
    if table == "profiles":
        inner = item.get("user")
        return inner if isinstance(inner, dict) and "unique_id" not in item and "sec_uid" not in item else item
    return item
