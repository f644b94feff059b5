"""Read what the benchmark needs from the simulator's universe: entity names and page minimums.

Why a separate view: the universe is the simulator's ground truth (it knows every list and how many
pages each needs at the maximum page size, quirks included: ``Universe.pages_needed``). This module
turns the workload into those questions, so a change in the simulator's API touches one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .workload import Workload

P = "/api/v1/tiktok/"


def entity_names(universe: Any, kind: str) -> list[str]:
    """Generated creators first (their sizes vary), then the universe's hashtags / keywords."""
    if kind == "accounts":
        return list(universe.GENERATED_ACCOUNTS)
    if kind == "hashtags":
        return list(universe.HASHTAGS)
    return list(universe.KEYWORDS)


@dataclass
class Minimum:
    """Fewest paid requests for the workload, per stream, and the longest dependent chain of pages."""

    total: int = 0
    by_table: dict[str, int] = field(default_factory=dict)
    chain: int = 0  # longest profile -> posts -> comments -> replies page chain of one account

    def add(self, table: str, pages: int) -> int:
        self.by_table[table] = self.by_table.get(table, 0) + pages
        self.total += pages
        return pages


def _pages(universe: Any, endpoint: str, **params: Any) -> int:
    return int(universe.pages_needed(P + endpoint, **params))


def newest_first_pages(items: list[dict[str, Any]], start_ts: int, page: int = 30, *, pinned_first: bool = True) -> int:
    """Pages a newest-first pass needs at page size ``page`` to know it has every item since ``start_ts``.

    Served order of user/posts: pinned posts first, then newest first (``pinned_first``); a hashtag's
    list is plain newest-first (a video pinned on its author's profile is not pinned there). The pass has
    everything once it holds a non-pinned item older than the start (or the stream ends);
    ``Universe.pages_needed`` counts the whole stream, which is the minimum for full passes only.
    """
    pinned = (lambda i: bool(i.get("is_top"))) if pinned_first else (lambda i: False)
    served = [i for i in items if pinned(i)] + [i for i in items if not pinned(i)]
    for index, item in enumerate(served):
        if not pinned(item) and int(item["create_time"]) < start_ts:
            return index // page + 1
    return max(1, -(-len(served) // page))


def minimum(universe: Any, wl: Workload) -> Minimum:
    """Pages the workload needs at max page size, asking the universe stream by stream.

    A hashtag's feed counts its first ``HASHTAG_FEED_MAX_PAGES`` pages (fewer if it ends first): the
    ``hashtag_videos`` asset captures the feed as observed, since the reference documents no order
    for it, so no pass can stop at the window start (README, "Stopping rules").
    """
    from tiktok_assets.assets.hashtags import HASHTAG_FEED_MAX_PAGES  # the product's default depth (imports Dagster)

    m = Minimum()
    for account in wl.accounts:
        m.add("profiles", 1)
        sec = universe.sec_uid_of(account)
        all_posts = list(universe.posts_of(account))
        posts_pages = m.add("posts", newest_first_pages(all_posts, wl.start_ts))
        m.add("followers", _pages(universe, "user/followers", sec_user_id=sec))
        m.add("followings", _pages(universe, "user/followings", sec_user_id=sec))
        posts = [p for p in all_posts if wl.in_window(p.get("create_time"))]
        longest_comments = longest_replies = 0
        for vid in wl.comment_video_ids(posts):
            c = m.add("comments", _pages(universe, "video/comments", video_id=vid))
            longest_comments = max(longest_comments, c)
            for cid in wl.reply_comment_ids(list(universe.comments_of(vid))):
                r = m.add("comment_replies", _pages(universe, "video/comments/replies", video_id=vid, comment_id=cid))
                longest_replies = max(longest_replies, r)
        m.chain = max(m.chain, 1 + posts_pages + longest_comments + longest_replies)
    for tag in wl.hashtags:
        m.add("hashtags", 1)
        hid = universe.hashtag_id_of(tag)
        # the feed as observed: the first max_pages pages, whatever the order (the asset assumes none)
        m.add("hashtag_videos", min(HASHTAG_FEED_MAX_PAGES, max(1, -(-len(list(universe.hashtag_videos_of(hid))) // 30))))
    for kw in wl.keywords:
        m.add("search_videos", _pages(universe, "search/videos", keyword=kw, publish_time=wl.publish_time))
        m.add("search_users", _pages(universe, "search/users", keyword=kw))
    return m


def mega_owner(universe: Any) -> str:
    """Unique id of the account whose post is the million-comment video."""
    from tiktok_assets.simulator.content import MEGA_VIDEO_ID

    for attr in ("video_of", "video"):
        fn = getattr(universe, attr, None)
        if callable(fn):
            try:
                return str(fn(MEGA_VIDEO_ID)["author"]["unique_id"])
            except Exception:  # noqa: BLE001 - fall back to the documented owner
                pass
    from tiktok_assets.simulator.people import CAP_ACCOUNT

    return CAP_ACCOUNT
