"""Raw-HTTP helpers for the simulator's own tests (the client is tested elsewhere, against this server)."""

from __future__ import annotations

from typing import Any

import httpx

P = "/api/v1/tiktok/"
# endpoint -> (list key, id key, pagination style)
STREAMS: dict[str, tuple[str, str, str]] = {
    "user/posts": ("aweme_list", "aweme_id", "posts"),
    "video/comments": ("comments", "cid", "offset"),
    "video/comments/replies": ("comments", "cid", "offset"),
    "search/videos": ("aweme_list", "aweme_id", "offset"),
    "search/users": ("user_list", "uid", "offset"),
    "hashtag/videos": ("aweme_list", "aweme_id", "offset"),
    "user/followers": ("followers", "uid", "token"),
    "user/followings": ("followings", "uid", "token"),
}


def item_id(endpoint: str, item: dict[str, Any]) -> str:
    key = STREAMS[endpoint][1]
    return item["user_info"][key] if endpoint == "search/users" else item[key]


def drain(client: httpx.Client, endpoint: str, params: dict[str, Any], max_pages: int = 5000
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow one stream to its end the way a careful client would; returns (items in order, page datas)."""
    list_key, _, style = STREAMS[endpoint]
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    for _ in range(max_pages):
        r = client.post(P + endpoint, json={**params, **state})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        pages.append(data)
        items.extend(data[list_key])
        if style == "posts":
            nxt, more = {"cursor": data["max_cursor"]}, data["has_more"] == 1
        elif style == "offset":
            nxt, more = {"cursor": data["cursor"]}, data["has_more"] == 1
        else:
            assert isinstance(data["has_more"], bool)
            nxt, more = {"page_token": data["next_page_token"], "min_time": data["min_time"]}, data["has_more"]
        if not more or nxt == state:  # a cursor that does not move is the end, never "start over"
            return items, pages
        state = nxt
    raise AssertionError(f"{endpoint} did not end within {max_pages} pages")


def dedup(endpoint: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for it in items:
        if item_id(endpoint, it) not in seen:
            seen.add(item_id(endpoint, it))
            out.append(it)
    return out
