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


def _read(convert: Callable[[Any], Any], *path: str, source: str | None = None) -> tuple[str, Extractor]:
    """``convert(subject[path[0]][path[1]]...)``, documented as the dotted path (or ``source``)."""
    return source or ".".join(path), lambda s: convert(dig(s, *path))


_IDENTITY: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("uid", to_id), ("unique_id", to_text), ("sec_uid", to_id), ("nickname", to_text))


def _person(prefix: str, obj: str) -> ColumnSpec:
    """The identity fields of the user object ``obj`` (a video's author, a comment's user) as ``<prefix>_<field>``."""
    return {f"{prefix}_{name}": _read(convert, obj, name) for name, convert in _IDENTITY}


def _user(avatars: tuple[str, ...]) -> ColumnSpec:
    """USER_FIELDS read from a user object; ``avatars`` is the preference order of avatar objects."""
    return {
        **{name: _read(convert, name) for name, convert in _IDENTITY},
        "signature": _read(to_text, "signature"),
        **{name: _read(to_int, name) for name in ("follower_count", "following_count", "aweme_count", "total_favorited")},
        "avatar_url": (f"{avatars[0]}.url_list[0]", lambda s: first_url_of(s, *avatars)),
    }


_PROFILE_AVATARS = ("avatar_larger", "avatar_medium", "avatar_thumb")
_LIST_AVATARS = ("avatar_thumb", "avatar_medium", "avatar_larger")


def _stat(name: str) -> tuple[str, Extractor]:
    return _read(to_int, "statistics", name)


VIDEO: ColumnSpec = {
    "aweme_id": _read(to_id, "aweme_id"),
    "description": _read(to_text, "desc"),
    "create_time": _read(to_int, "create_time", source="create_time (unix s)"),
    "is_pinned": _read(to_bool, "is_top", source="is_top (0/1)"),
    **_person("author", "author"),
    **{name: _stat(name) for name in ("play_count", "digg_count", "comment_count", "share_count", "collect_count")},
    "music_id": _read(to_id, "music", "id"),
    "music_title": _read(to_text, "music", "title"),
    "music_author": _read(to_text, "music", "author"),
    "video_duration_ms": _read(to_int, "video", "duration", source="video.duration (ms)"),
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
    "video_width": _read(to_int, "video", "width"),
    "video_height": _read(to_int, "video", "height"),
    "hashtags": ("cha_list[].cha_name", _hashtag_names),
    "mentions": ("text_extra[] type 0: unique_id (else user_id)", _mentions),
}

COMMENT: ColumnSpec = {
    "cid": _read(to_id, "cid"),
    "aweme_id": _read(to_id, "aweme_id", source="aweme_id (else caller's extra aweme_id)"),
    "text": _read(to_text, "text"),
    "create_time": _read(to_int, "create_time", source="create_time (unix s)"),
    "digg_count": _read(to_int, "digg_count"),
    "reply_comment_total": _read(to_int, "reply_comment_total"),
    "is_author_digged": _read(to_bool, "is_author_digged", source="is_author_digged (0/1)"),
    **_person("user", "user"),
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
    "hashtag_id": _read(to_id, "challenge", "id", source="challengeInfo.challenge.id"),
    "hashtag_name": _read(to_text, "challenge", "title", source="challengeInfo.challenge.title"),
    "description": _read(to_text, "challenge", "desc", source="challengeInfo.challenge.desc"),
    "video_count": ("challengeInfo.stats.videoCount (or challenge.stats)", _hashtag_stat("videoCount")),
    "view_count": ("challengeInfo.stats.viewCount (or challenge.stats)", _hashtag_stat("viewCount")),
}

# Per table: the item-derived columns.
SPECS: dict[str, ColumnSpec] = {
    "profiles": {**_user(_PROFILE_AVATARS), "bio_url": _read(to_text, "bio_url")},
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
