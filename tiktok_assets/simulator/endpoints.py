"""The eleven endpoints: validate the JSON body, look up the truth, cut the page.

Why validation messages name the parameter: the client surfaces them verbatim in BadRequestError, so a
wrong call is diagnosable from one log line. Each handler returns the ``data`` object; errors are
raised as :class:`ApiError` and turned into ``{"error": {"code", "message"}}`` by the server.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from . import paging
from .search import PUBLISH_DAYS
from .universe import API_PREFIX, MAX_PAGE, Universe

T = TypeVar("T")

Params = dict[str, Any]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def found(value: T | None, what: str, **params: str) -> T:
    """``value``, or the API's 404 naming ``what`` and the parameters that found nothing."""
    if value is None:
        raise not_found(f"{what} not found: " + " ".join(f"{k}={v[:60]!r}" for k, v in params.items()))
    return value


# --- parameter parsing ----------------------------------------------------------------------------
def _text(p: Params, name: str, required: bool = True) -> str | None:
    value = p.get(name)
    if value is None or value == "":
        if required:
            raise bad(f"missing required parameter '{name}'")
        return None
    if not isinstance(value, str):
        raise bad(f"parameter '{name}' must be a string")
    return value


def _numeric_id(p: Params, name: str, required: bool = True) -> str | None:
    value = p.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    value = _text({name: value}, name, required)
    if value is not None and not value.isdigit():
        raise bad(f"parameter '{name}' must be a numeric string, got {value[:40]!r}")
    return value


def _count(p: Params, high: int) -> int:
    value = p.get("count", 20)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise bad(f"parameter 'count' must be an integer between 1 and {high}, got {value!r}")
    return value


def _offset(p: Params, name: str = "cursor") -> int:
    value = p.get(name, "0")
    if value in ("", None):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise bad(f"parameter '{name}' must be a non-negative integer (string or number), got {value!r}")


def _enum(p: Params, name: str, allowed: tuple[str, ...]) -> str:
    value = p.get(name, "0")
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if value not in allowed:
        raise bad(f"parameter '{name}' must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def _keyword(p: Params) -> str:
    value = _text(p, "keyword")
    if not value.strip() or len(value) > 500:
        raise bad(f"parameter 'keyword' must be 1-500 characters, got {len(value)}")
    return value


def _one_of(p: Params, a: str, b: str) -> str:
    given = [n for n in (a, b) if p.get(n) not in (None, "")]
    if len(given) != 1:
        raise bad(f"pass exactly one of '{a}' or '{b}' (got {len(given)})")
    return given[0]


def _window(p: Params, endpoint: str) -> tuple[int, int]:
    """(offset, count) of an offset-paginated endpoint, validated before any lookup."""
    return _offset(p), _count(p, MAX_PAGE[endpoint])


# --- handlers -------------------------------------------------------------------------------------
class Endpoints:
    def __init__(self, universe: Universe) -> None:
        self.u = universe
        self.routes: dict[str, Callable[[Params], dict[str, Any]]] = {
            API_PREFIX + name: fn for name, fn in {
                "profile": self.profile, "user/posts": self.user_posts, "video": self.video,
                "video/comments": self.comments, "video/comments/replies": self.replies,
                "search/videos": self.search_videos, "search/users": self.search_users,
                "hashtag": self.hashtag, "hashtag/videos": self.hashtag_videos,
                "user/followers": self.followers, "user/followings": self.followings}.items()}

    def _sq(self, endpoint: str, key: str) -> paging.StreamQuirks:
        return paging.stream_quirks(self.u.seed, self.u.quirks, endpoint, key)

    def _user_of(self, p: Params) -> str:
        sec = _text(p, "sec_user_id")
        return found(self.u.unique_id_of_sec(sec), "user", sec_user_id=sec)

    def _offset_page(self, endpoint: str, key: str, items: Any, window: tuple[int, int]) -> tuple[paging.Cut, int]:
        offset, count = window
        c = paging.cut(items, offset, count, self._sq(endpoint, key), self.u.seed, f"{endpoint}:{key}")
        cursor = offset if c.stuck else 0 if c.zero_end else c.next_offset
        return c, cursor

    def profile(self, p: Params) -> dict[str, Any]:
        if _one_of(p, "username", "sec_user_id") == "username":
            name = _text(p, "username").lstrip("@")
            user = found(self.u.account(name), "user", username=name)
        else:
            sec = _text(p, "sec_user_id")
            user = found(self.u.account_by_sec_uid(sec), "user", sec_user_id=sec)
        return {"user": user}

    def user_posts(self, p: Params) -> dict[str, Any]:
        count, sort = _count(p, MAX_PAGE["user/posts"]), _enum(p, "sort_type", ("0", "1"))
        cursor = _offset(p)
        uid = self._user_of(p)
        posts = self.u.posts_of(uid)
        sq, key = self._sq("posts", f"{uid}:{sort}"), f"posts:{uid}:{sort}"
        if sort == "1":  # popular order cannot use a time cursor: the cursor is an offset
            ranked = sorted(posts, key=lambda v: (-v["statistics"]["digg_count"], v["aweme_id"]))
            c = paging.cut(ranked, cursor, count, sq, self.u.seed, key)
            out = cursor if c.stuck else 0 if c.zero_end else c.next_offset
            return {"aweme_list": c.items, "max_cursor": str(out), "min_cursor": "0", "has_more": int(c.has_more)}
        regular = [v for v in posts if not v["is_top"]]
        if cursor and self.u.posts_seeded_cursor == "ignore" and cursor not in {v["create_time"] * 1000 for v in regular}:
            cursor = 0  # a cursor this server never issued (seeded by the client): start over, silently
        pinned = [v for v in posts if v["is_top"]] if cursor == 0 else []
        start = 0 if cursor == 0 else bisect.bisect_right(regular, -cursor, key=lambda v: -v["create_time"] * 1000)
        c = paging.cut(regular, start, count, sq, self.u.seed, key, first_page_extra=len(pinned))
        if c.stuck or not c.new_count:
            max_cursor = str(cursor)
        elif c.zero_end:
            max_cursor = "0"
        else:
            max_cursor = str(regular[c.next_offset - 1]["create_time"] * 1000)
        return {"aweme_list": pinned + c.items, "max_cursor": max_cursor, "min_cursor": "0",
                "has_more": int(c.has_more)}

    def video(self, p: Params) -> dict[str, Any]:
        vid = _numeric_id(p, "video_id")
        return {"aweme_detail": found(self.u.video(vid), "video", video_id=vid)}

    def comments(self, p: Params) -> dict[str, Any]:
        vid, window = _numeric_id(p, "video_id"), _window(p, "video/comments")
        video = found(self.u.video(vid), "video", video_id=vid)
        c, cursor = self._offset_page("comments", vid, self.u.comments_of(vid), window)
        return {"comments": c.items, "cursor": cursor, "has_more": int(c.has_more),
                "total": video["statistics"]["comment_count"]}

    def replies(self, p: Params) -> dict[str, Any]:
        vid, cid = _numeric_id(p, "video_id"), _numeric_id(p, "comment_id")
        window = _window(p, "video/comments/replies")
        parent = found(self.u.comment(vid, cid), "comment", video_id=vid, comment_id=cid)
        c, cursor = self._offset_page("replies", cid, self.u.replies_of(vid, cid), window)
        return {"comments": c.items, "cursor": cursor, "has_more": int(c.has_more),
                "total": parent["reply_comment_total"]}

    def search_videos(self, p: Params) -> dict[str, Any]:
        kw = _keyword(p)
        sort, since = _enum(p, "sort_type", ("0", "1")), _enum(p, "publish_time", tuple(PUBLISH_DAYS))
        window = _window(p, "search/videos")
        items = self.u.search_videos(kw, since, sort)
        c, cursor = self._offset_page("search_videos", f"{kw}:{since}:{sort}", items, window)
        return {"aweme_list": c.items, "cursor": cursor, "has_more": int(c.has_more)}

    def search_users(self, p: Params) -> dict[str, Any]:
        kw, window = _keyword(p), _window(p, "search/users")
        c, cursor = self._offset_page("search_users", kw, self.u.search_users(kw), window)
        return {"user_list": c.items, "cursor": cursor, "has_more": int(c.has_more)}

    def hashtag(self, p: Params) -> dict[str, Any]:
        if _one_of(p, "hashtag_name", "hashtag_id") == "hashtag_name":
            name = _text(p, "hashtag_name")
            info = found(self.u.hashtag(name), "hashtag", hashtag_name=name)
        else:
            tid = _numeric_id(p, "hashtag_id")
            info = found(self.u.hashtag_by_id(tid), "hashtag", hashtag_id=tid)
        return {"challengeInfo": info}

    def hashtag_videos(self, p: Params) -> dict[str, Any]:
        tid, window = _numeric_id(p, "hashtag_id"), _window(p, "hashtag/videos")
        found(self.u.hashtag_by_id(tid), "hashtag", hashtag_id=tid)
        c, cursor = self._offset_page("hashtag_videos", tid, self.u.hashtag_videos_of(tid), window)
        return {"aweme_list": c.items, "cursor": cursor, "has_more": int(c.has_more)}

    def followers(self, p: Params) -> dict[str, Any]:
        return self._graph(p, "followers")

    def followings(self, p: Params) -> dict[str, Any]:
        return self._graph(p, "followings")

    def _graph(self, p: Params, direction: str) -> dict[str, Any]:
        _text(p, "sec_user_id")
        count = _count(p, MAX_PAGE[f"user/{direction}"])
        token_in = _text(p, "page_token", required=False)
        min_time_in = _offset(p, "min_time") if p.get("min_time") not in (None, "") else 0
        uid = self._user_of(p)
        check = hashlib.md5(f"{direction}:{uid}".encode()).hexdigest()[:8]
        offset = 0
        if token_in:
            try:
                off_s, chk = base64.urlsafe_b64decode(token_in.encode()).decode().split(":")
                offset = int(off_s)
            except (ValueError, UnicodeDecodeError):
                raise bad("parameter 'page_token' is not a token this API issued") from None
            if chk != check:
                raise bad("parameter 'page_token' belongs to another user list (pass the one from this stream)")
        entries = self.u.graph(uid, direction)
        c = paging.cut([u for _, u in entries], offset, count, self._sq(direction, uid), self.u.seed, f"{direction}:{uid}")
        if c.stuck:
            token, min_time = token_in or "", min_time_in
        elif c.zero_end:
            token, min_time = "", 0
        else:
            token = base64.urlsafe_b64encode(f"{c.next_offset}:{check}".encode()).decode()
            min_time = entries[c.next_offset - 1][0] if c.new_count else min_time_in
        return {direction: c.items, "next_page_token": token, "min_time": min_time, "has_more": bool(c.has_more)}
