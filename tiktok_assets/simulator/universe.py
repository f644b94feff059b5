"""The simulated TikTok: the truth every endpoint serves and every test computes expectations from.

Why lazy and cached: constructing a Universe only plans ~50 account specs (milliseconds); posts,
graphs, comments and indexes are generated on first use and cached (comments/replies in small LRUs),
so startup stays well under a second and a million-comment video costs no memory. Methods return the
API-shaped dicts exactly as served: treat them as read-only. Content is generated relative to the
construction time (``anchor``); ``at(now)`` observes the same world later (see :mod:`.evolution`).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from . import content, evolution, people, search, text
from .config import ALL_QUIRKS, Q_BIG_COUNTS, Q_MISSING_OPTIONAL, Q_PINNED_FIRST
from .ids import pool_index_of_sec_uid, rng

API_PREFIX = "/api/v1/tiktok/"
MAX_PAGE = {"user/posts": 30, "video/comments": 50, "video/comments/replies": 50, "search/videos": 30,
            "search/users": 30, "hashtag/videos": 30, "user/followers": 20, "user/followings": 20}


class Universe:
    DEMO_ACCOUNTS = people.DEMO_ACCOUNTS
    DELETED_ACCOUNT = people.DELETED_ACCOUNT
    PRIVATE_ACCOUNT = people.PRIVATE_ACCOUNT
    CAP_ACCOUNT = people.CAP_ACCOUNT
    DEMO_HASHTAGS: tuple[str, ...] = ("cooking", "fyp")
    HASHTAGS: tuple[str, ...] = tuple(text.ALL_TAGS)
    DEMO_KEYWORDS: tuple[str, ...] = ("cooking recipe", "東京 ramen 🍜")
    KEYWORDS: tuple[str, ...] = DEMO_KEYWORDS + ("street food", "marathon training", "cat video",
                                                 "skincare routine", "budget travel")
    MEGA_VIDEO_ID = content.MEGA_VIDEO_ID
    POOL_SIZE = people.POOL_SIZE

    def __init__(self, seed: int, now: float, n_generated_accounts: int = 40, mega_comments: int = 0,
                 comment_cap: int = 1000, follower_cap: int = 5000, hashtag_video_cap: int = 2000,
                 quirks: frozenset[str] = ALL_QUIRKS, hashtag_video_order: str = "likes",
                 search_video_order: str = "relevance", comment_order: str = "likes", reply_order: str = "likes",
                 posts_seeded_cursor: str = "honour") -> None:
        self.seed, self.now, self.quirks = seed, int(now), frozenset(quirks)
        # orders the reference leaves open (config.LIST_ORDERS); served lists and this truth agree
        self.hashtag_video_order, self.search_video_order = hashtag_video_order, search_video_order
        self.comment_order, self.reply_order = comment_order, reply_order
        self.posts_seeded_cursor = posts_seeded_cursor
        self.anchor = self.now  # content is generated relative to the anchor; at(now) moves `now` only
        self.comment_cap, self.follower_cap, self.hashtag_video_cap = comment_cap, follower_cap, hashtag_video_cap
        self.mega_comments = mega_comments
        self.GENERATED_ACCOUNTS = tuple(people.generated_ids(n_generated_accounts))
        names = (*self.DEMO_ACCOUNTS, self.DELETED_ACCOUNT, self.PRIVATE_ACCOUNT, self.CAP_ACCOUNT, *self.GENERATED_ACCOUNTS)
        self._specs = {u: people.make_account(seed, u, self.quirks) for u in names}
        self._by_sec = {s.sec_uid: u for u, s in self._specs.items()}
        self._tag_ids: dict[str, str] = {}
        for name in self.HASHTAGS:
            r, tid = rng(seed, "tag", name), ""
            while not tid or tid in self._tag_ids.values():
                digits = r.randint(5, 19)
                tid = str(r.randint(10 ** (digits - 1), 10 ** digits - 1))
            self._tag_ids[name] = tid
        self._lock = threading.RLock()
        self._posts: dict[str, list[dict[str, Any]]] = {}
        self._graph: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        self._videos: dict[str, dict[str, Any]] | None = None
        self._tagged: dict[str, list[dict[str, Any]]] | None = None
        self._lru: OrderedDict[tuple, Any] = OrderedDict()
        # evolution: plans shared by all views (anchored), results at this view's `now`, the anchor's view
        self._future, self._view, self._base = {}, {}, self
        self.pool_user = lru_cache(maxsize=32_768)(lambda i: people.pool_user(seed, i, self.quirks))

    @classmethod
    def from_config(cls, cfg: Any) -> "Universe":
        return cls(cfg.seed, cfg.now, n_generated_accounts=cfg.n_generated_accounts, mega_comments=cfg.mega_comments,
                   comment_cap=cfg.comment_cap, follower_cap=cfg.follower_cap,
                   hashtag_video_cap=cfg.hashtag_video_cap, quirks=cfg.quirks,
                   hashtag_video_order=cfg.hashtag_video_order, search_video_order=cfg.search_video_order,
                   comment_order=cfg.comment_order, reply_order=cfg.reply_order,
                   posts_seeded_cursor=cfg.posts_seeded_cursor)

    def at(self, now: float) -> "Universe":
        """The same world observed at ``now`` (>= ``anchor``): see :mod:`.evolution`."""
        return evolution.observe(self, now)

    # --- accounts -------------------------------------------------------------------------------
    def _spec(self, unique_id: str) -> people.AccountSpec | None:
        spec = self._specs.get(unique_id)
        return None if spec is None or people.is_gone(spec, self.quirks) else spec

    def sec_uid_of(self, unique_id: str) -> str:
        """The sec_uid of any planned account, the deleted one included (its sec_uid answers 404)."""
        return self._specs[unique_id].sec_uid

    def account_ids(self) -> list[str]:
        return [u for u in self._specs if self._spec(u)]

    def account(self, unique_id: str) -> dict[str, Any] | None:
        spec = self._spec(unique_id.lstrip("@"))
        if spec is None:
            return self._pool_profile_by(lambda i: self.pool_user(i)["unique_id"] == unique_id, unique_id[-5:])
        posts = evolution.posts_at(self, spec.unique_id)
        followers = people.mega_follower_count(self.quirks) if spec.kind == "mega" else spec.n_followers
        followers += evolution.new_follower_count(self, spec)
        likes = sum(p["statistics"]["digg_count"] for p in posts)
        if spec.kind == "mega" and Q_BIG_COUNTS in self.quirks:
            likes += 5_000_000_000  # likes on long-deleted videos still count, as on TikTok
        return people.profile(spec, followers, spec.n_followings, len(posts), likes)

    def account_by_sec_uid(self, sec_uid: str) -> dict[str, Any] | None:
        if sec_uid in self._by_sec:
            return self.account(self._by_sec[sec_uid])
        index = pool_index_of_sec_uid(self.seed, sec_uid)
        return self._pool_profile_by(lambda i: self.pool_user(i)["sec_uid"] == sec_uid, str(index or ""))

    def _pool_profile_by(self, matches: Callable[[int], bool], digits: str) -> dict[str, Any] | None:
        if not digits.isdigit() or int(digits) >= self.POOL_SIZE or not matches(int(digits)):
            return None
        return people.pool_profile(self.pool_user(int(digits)))

    def unique_id_of_sec(self, sec_uid: str) -> str | None:
        """Planned account or pool handle behind a sec_uid, or None (unknown or deleted)."""
        user = self.account_by_sec_uid(sec_uid)
        return user["unique_id"] if user else None

    # --- posts and videos -----------------------------------------------------------------------
    def _all_posts(self, unique_id: str) -> list[dict[str, Any]]:
        with self._lock:
            if unique_id not in self._posts:
                spec = self._specs[unique_id]
                posts = content.make_posts(self.seed, spec, self.anchor, self.quirks, self._tag_ids.__getitem__,
                                           list(self._specs.values()))
                if Q_PINNED_FIRST in self.quirks and spec.n_pinned:
                    older = range(10, len(posts))
                    for i in rng(self.seed, "pinned", unique_id).sample(older, spec.n_pinned):
                        posts[i]["is_top"] = 1
                self._posts[unique_id] = posts
            return self._posts[unique_id]

    def posts_of(self, unique_id: str) -> list[dict[str, Any]]:
        """Every post the API serves for the account, newest first (private and unknown: [])."""
        spec = self._spec(unique_id)
        return [] if spec is None or spec.kind == "private" else evolution.posts_at(self, unique_id)

    def pinned_of(self, unique_id: str) -> list[str]:
        """Pinned aweme_ids in display order (newest first); [] with the pinned_first quirk off."""
        return [p["aweme_id"] for p in self.posts_of(unique_id) if p["is_top"]]

    def _index(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._videos is None:
                self._videos = {p["aweme_id"]: p for u in self.account_ids() for p in self.posts_of(u)}
            return self._videos

    def all_videos(self) -> list[dict[str, Any]]:
        return list(self._index().values())

    def video(self, aweme_id: str) -> dict[str, Any] | None:
        if self.mega_comments and aweme_id == self.MEGA_VIDEO_ID:
            return self._mega_video()
        return self._index().get(aweme_id)

    def _mega_video(self) -> dict[str, Any]:
        def build() -> dict[str, Any]:
            spec = self._specs[self.CAP_ACCOUNT]
            r = rng(self.seed, "mega-video")
            v = content.make_video(r, spec, self.anchor - 5 * 86_400, self.quirks, self._tag_ids.__getitem__,
                                   [spec], viral=True, aweme_id=self.MEGA_VIDEO_ID)
            v["statistics"]["comment_count"] = self.mega_comments
            return v
        return self._cached(("mega-video",), build)

    # --- comments -------------------------------------------------------------------------------
    def _cached(self, key: tuple, build: Callable[[], Any], size: int = 64) -> Any:
        with self._lock:
            if key in self._lru:
                self._lru.move_to_end(key)
                return self._lru[key]
        value = build()
        with self._lock:
            self._lru[key] = value
            while len(self._lru) > size:
                self._lru.popitem(last=False)
        return value

    def comments_of(self, aweme_id: str) -> Sequence[dict[str, Any]]:
        """The comments the API serves, in served order (the top ``comment_cap`` by likes, listed most
        liked first or newest first per ``comment_order``; the mega video is uncapped, in index order)."""
        video = self.video(aweme_id)
        if video is None:
            return []
        if aweme_id == self.MEGA_VIDEO_ID and self.mega_comments:
            return content.MegaComments(self.seed, self.mega_comments, video["create_time"], self.anchor,
                                        self.pool_user, self.POOL_SIZE)
        if evolution.is_future(self, video["create_time"]):  # posted after the anchor: comments still arrive
            return self._comment_order(evolution.comments_at(self, video))
        n = min(video["statistics"]["comment_count"], self.comment_cap)
        return self._cached(("comments", aweme_id), lambda: self._comment_order(content.make_comments(
            self.seed, video, n, self.anchor, self.pool_user, self.POOL_SIZE)))

    def _comment_order(self, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.comment_order == "newest":
            return sorted(comments, key=lambda c: (-c["create_time"], c["cid"]))
        return sorted(comments, key=lambda c: (-c["digg_count"], c["cid"]))

    def comment(self, aweme_id: str, cid: str) -> dict[str, Any] | None:
        return next((c for c in self.comments_of(aweme_id) if c["cid"] == cid), None) \
            if aweme_id != self.MEGA_VIDEO_ID else None

    def replies_of(self, aweme_id: str, cid: str) -> list[dict[str, Any]]:
        """Replies in served order: most liked first, or oldest first, per ``reply_order``."""
        parent = self.comment(aweme_id, cid)
        if parent is None:
            return []
        if evolution.is_future(self, parent["create_time"]):
            return self._reply_order(evolution.replies_at(self, self.video(aweme_id), cid))
        return self._cached(("replies", cid), lambda: self._reply_order(content.make_replies(
            self.seed, parent, self.anchor, self.pool_user, self.POOL_SIZE)))

    def _reply_order(self, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.reply_order == "likes":
            return sorted(replies, key=lambda c: (-c["digg_count"], c["cid"]))
        return sorted(replies, key=lambda c: (c["create_time"], c["cid"]))

    # --- social graph ---------------------------------------------------------------------------
    def graph(self, unique_id: str, direction: str) -> list[tuple[int, dict[str, Any]]]:
        """(follow_time, user) newest first, served length (capped); direction: followers | followings."""
        spec = self._spec(unique_id)
        if spec is None or spec.kind == "private":
            return []
        key = (unique_id, direction)
        with self._lock:
            if key not in self._graph:
                self._graph[key] = self._make_graph(spec, direction)[: self.follower_cap]
            anchored = self._graph[key]
        return evolution.followers_at(self, spec, anchored) if direction == "followers" else anchored

    def _make_graph(self, spec: people.AccountSpec, direction: str) -> list[tuple[int, dict[str, Any]]]:
        r = rng(self.seed, direction, spec.unique_id)
        n = spec.n_followers if direction == "followers" else spec.n_followings
        users = [self.pool_user(i) for i in r.sample(range(self.POOL_SIZE), n)]
        peers = [u for u in self.account_ids() if u != spec.unique_id and self._specs[u].kind != "private"]
        if spec.kind == "demo" and peers:
            for u in r.sample(peers, min(len(peers), 4, n)):
                profile = self._base.account(u)
                users[r.randrange(n)] = {k: profile[k] for k in people.brief(self._specs[u], 0, 0, 0)}
        t, out = self.anchor, []
        for user in users:
            t -= r.randint(30, 20_000)
            out.append((t, user))
        return out

    def followers_of(self, unique_id: str) -> list[dict[str, Any]]:
        return [u for _, u in self.graph(unique_id, "followers")]

    def followings_of(self, unique_id: str) -> list[dict[str, Any]]:
        return [u for _, u in self.graph(unique_id, "followings")]

    # --- hashtags -------------------------------------------------------------------------------
    def _tag_index(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            if self._tagged is None:
                tagged: dict[str, list[dict[str, Any]]] = {name: [] for name in self.HASHTAGS}
                order = ((lambda v: (-v["statistics"]["digg_count"], v["aweme_id"])) if self.hashtag_video_order == "likes"
                         else (lambda v: (-v["create_time"], v["aweme_id"])))
                for v in sorted(self._index().values(), key=order):
                    for c in v["cha_list"]:
                        tagged[c["cha_name"]].append(v)
                self._tagged = tagged
            return self._tagged

    def hashtag(self, name: str) -> dict[str, Any] | None:
        """``data.challengeInfo`` with stats under both ``challengeInfo`` and ``challenge`` (the docs show both)."""
        name = name.lstrip("#").lower()
        if name not in self._tag_ids:
            return None
        return self._cached(("hashtag", name), lambda: self._challenge(name), size=256)

    def _challenge(self, name: str) -> dict[str, Any]:
        videos = self._tag_index()[name]
        count = 0 if (name == "fyp" and Q_MISSING_OPTIONAL in self.quirks) else len(videos)
        stats = {"videoCount": count, "viewCount": sum(v["statistics"]["play_count"] for v in videos)}
        challenge = {"id": self._tag_ids[name], "title": name, "desc": f"Videos about #{name} ✨", "stats": dict(stats)}
        return {"challenge": challenge, "stats": stats}

    def hashtag_by_id(self, hashtag_id: str) -> dict[str, Any] | None:
        name = next((n for n, i in self._tag_ids.items() if i == hashtag_id), None)
        return self.hashtag(name) if name else None

    def hashtag_id_of(self, name: str) -> str | None:
        return self._tag_ids.get(name.lstrip("#").lower())

    def hashtag_videos_of(self, hashtag_id: str) -> list[dict[str, Any]]:
        """The hashtag's feed as served: the first ``hashtag_video_cap`` in ``hashtag_video_order``."""
        name = next((n for n, i in self._tag_ids.items() if i == hashtag_id), None)
        return self._tag_index()[name][: self.hashtag_video_cap] if name else []

    # --- search ---------------------------------------------------------------------------------
    def search_videos(self, keyword: str, publish_time: str = "0", sort_type: str = "0") -> list[dict[str, Any]]:
        def build() -> list[dict[str, Any]]:
            ranked = search.rank_videos(self.seed, keyword, self._index().values(), self.now, publish_time, sort_type)
            if sort_type == "0" and self.search_video_order == "newest":
                ranked.sort(key=lambda v: (-v["create_time"], v["aweme_id"]))
            return ranked
        return self._cached(("sv", keyword, publish_time, sort_type), build)

    def search_users(self, keyword: str) -> list[dict[str, Any]]:
        def build() -> list[dict[str, Any]]:
            r = rng(self.seed, "search-users", keyword)
            pool = [self.pool_user(i) for i in r.sample(range(self.POOL_SIZE), r.randint(10, 60))]
            accounts = [self.account(u) for u in self.account_ids()]
            return search.rank_users(self.seed, keyword, [{k: a[k] for k in pool[0]} for a in accounts], pool)
        return self._cached(("su", keyword), build)

    # --- cost model -----------------------------------------------------------------------------
    def pages_needed(self, endpoint: str, **params: Any) -> int:
        """Fewest requests that exhaust the stream at the endpoint's max page size, quirks off."""
        name = endpoint.removeprefix(API_PREFIX).strip("/")
        if name not in MAX_PAGE:
            return 1
        user = params.get("unique_id") or (self.unique_id_of_sec(params["sec_user_id"]) if params.get("sec_user_id") else None)
        tag = params.get("hashtag_id") or self.hashtag_id_of(params.get("hashtag_name", ""))
        n = {"user/posts": lambda: len(self.posts_of(user)) if user else 0,
             "video/comments": lambda: len(self.comments_of(params["video_id"])),
             "video/comments/replies": lambda: len(self.replies_of(params["video_id"], params["comment_id"])),
             "search/videos": lambda: len(self.search_videos(params["keyword"], params.get("publish_time", "0"),
                                                             params.get("sort_type", "0"))),
             "search/users": lambda: len(self.search_users(params["keyword"])),
             "hashtag/videos": lambda: len(self.hashtag_videos_of(tag)) if tag else 0,
             "user/followers": lambda: len(self.followers_of(user)) if user else 0,
             "user/followings": lambda: len(self.followings_of(user)) if user else 0}[name]()
        return max(1, math.ceil(n / MAX_PAGE[name]))
