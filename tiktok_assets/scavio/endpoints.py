"""The eleven endpoints as data: path, page style, page-size limit, where the items live, their id.

Why a table: the client has one request path and one pagination loop; what differs per endpoint is
only these few facts, so they live here in one place that mirrors the API reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

PREFIX = "/api/v1/tiktok"


class PageStyle(str, Enum):
    """The three pagination styles of the reference (plus 'single' for one-object endpoints)."""

    SINGLE = "single"
    MAX_CURSOR = "max_cursor"  # user/posts: cursor = data.max_cursor, stop at has_more == 0
    OFFSET = "offset"  # search/*, hashtag/videos, comments, replies: cursor = data.cursor
    TOKEN_TIME = "token_time"  # followers/followings: page_token + min_time, stop at has_more false


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _aweme_id(item: Mapping[str, Any]) -> str | None:
    return _str_or_none(item.get("aweme_id"))


def _cid(item: Mapping[str, Any]) -> str | None:
    return _str_or_none(item.get("cid"))


def _user_id(item: Mapping[str, Any]) -> str | None:
    return _str_or_none(item.get("uid")) or _str_or_none(item.get("sec_uid"))


def _search_user_id(item: Mapping[str, Any]) -> str | None:
    info = item.get("user_info")
    return _user_id(info) if isinstance(info, Mapping) else None


@dataclass(frozen=True)
class EndpointSpec:
    """What the client needs to know about one endpoint.

    ``result_key`` is the key under ``data`` holding the list (paginated) or the object (single).
    ``id_of`` returns the natural id used to drop items repeated across pages (None = keep as new).
    """

    name: str
    path: str
    style: PageStyle
    result_key: str
    max_count: int | None = None
    id_of: Callable[[Mapping[str, Any]], str | None] | None = None

    @property
    def paginated(self) -> bool:
        return self.style is not PageStyle.SINGLE


PROFILE = EndpointSpec("profile", f"{PREFIX}/profile", PageStyle.SINGLE, "user")
VIDEO = EndpointSpec("video", f"{PREFIX}/video", PageStyle.SINGLE, "aweme_detail")
HASHTAG = EndpointSpec("hashtag", f"{PREFIX}/hashtag", PageStyle.SINGLE, "challengeInfo")
USER_POSTS = EndpointSpec("user_posts", f"{PREFIX}/user/posts", PageStyle.MAX_CURSOR, "aweme_list", 30, _aweme_id)
VIDEO_COMMENTS = EndpointSpec("video_comments", f"{PREFIX}/video/comments", PageStyle.OFFSET, "comments", 50, _cid)
COMMENT_REPLIES = EndpointSpec("comment_replies", f"{PREFIX}/video/comments/replies", PageStyle.OFFSET, "comments", 50, _cid)
SEARCH_VIDEOS = EndpointSpec("search_videos", f"{PREFIX}/search/videos", PageStyle.OFFSET, "aweme_list", 30, _aweme_id)
SEARCH_USERS = EndpointSpec("search_users", f"{PREFIX}/search/users", PageStyle.OFFSET, "user_list", 30, _search_user_id)
HASHTAG_VIDEOS = EndpointSpec("hashtag_videos", f"{PREFIX}/hashtag/videos", PageStyle.OFFSET, "aweme_list", 30, _aweme_id)
USER_FOLLOWERS = EndpointSpec("user_followers", f"{PREFIX}/user/followers", PageStyle.TOKEN_TIME, "followers", 20, _user_id)
USER_FOLLOWINGS = EndpointSpec("user_followings", f"{PREFIX}/user/followings", PageStyle.TOKEN_TIME, "followings", 20, _user_id)

ENDPOINTS: dict[str, EndpointSpec] = {
    s.name: s
    for s in (PROFILE, VIDEO, HASHTAG, USER_POSTS, VIDEO_COMMENTS, COMMENT_REPLIES, SEARCH_VIDEOS,
              SEARCH_USERS, HASHTAG_VIDEOS, USER_FOLLOWERS, USER_FOLLOWINGS)
}
