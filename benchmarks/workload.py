"""The benchmark workload: what every contender must fetch, and the fewest pages that can fetch it.

Why one definition shared by all contenders: a comparison is only fair if the naive loop, dlt and our
pipeline fetch the same streams with the same selection. The selection rules below mirror the
product's defaults (``tiktok_assets/assets/comments.py``): comments of each account's 10 most recent
videos created in the window; replies of the top 5 comments per video by ``reply_comment_total``
(only comments with replies, created in the window). Posts, hashtag videos: newest-first to the window
start; search videos: a full pass with ``publish_time`` = the window's bucket; followers, followings,
search users: full passes.

The theoretical minimum asks the simulator's universe (which knows every list) how many pages each
stream needs at the endpoint's maximum page size: ``Universe.pages_needed``. Profiles and hashtag
infos are one request each.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

VIDEOS_PER_ACCOUNT = 10  # CommentsConfig.videos_per_account default
COMMENTS_PER_VIDEO = 5  # RepliesConfig.comments_per_video default
MAX_COUNT = {"user/posts": 30, "video/comments": 50, "video/comments/replies": 50, "search/videos": 30,
             "search/users": 30, "hashtag/videos": 30, "user/followers": 20, "user/followings": 20}


@dataclass
class Workload:
    accounts: list[str]
    hashtags: list[str]
    keywords: list[str]
    start: str  # ISO date, inclusive
    end: str  # ISO date, inclusive (today, UTC: snapshot assets can only be captured today)
    publish_time: str = "30"
    videos_per_account: int = VIDEOS_PER_ACCOUNT
    comments_per_video: int = COMMENTS_PER_VIDEO
    notes: dict[str, Any] = field(default_factory=dict)

    # --- persistence (contenders run in subprocesses) ----------------------------------------------
    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1))
        return path

    @classmethod
    def load(cls, path: str | Path) -> Workload:
        return cls(**json.loads(Path(path).read_text()))

    def write_tracked(self, path: Path) -> Path:
        """The same entities as the product's tracked.yaml."""
        doc = {"accounts": self.accounts, "hashtags": self.hashtags, "keywords": self.keywords}
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    # --- window ------------------------------------------------------------------------------------
    @property
    def start_ts(self) -> int:
        d = date.fromisoformat(self.start)
        return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())

    @property
    def end_ts_exclusive(self) -> int:
        d = date.fromisoformat(self.end) + timedelta(days=1)
        return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())

    def in_window(self, create_time: Any) -> bool:
        try:
            ts = int(create_time)
        except (TypeError, ValueError):
            return False
        return self.start_ts <= ts < self.end_ts_exclusive

    def page_is_older(self, items: list[dict[str, Any]]) -> bool:
        """Newest-first stop rule: every non-pinned item of the page is older than the window."""
        times = [int(i["create_time"]) for i in items if not i.get("is_top") and i.get("create_time") is not None]
        return bool(times) and all(t < self.start_ts for t in times)

    def page_reaches_start(self, items: list[dict[str, Any]]) -> bool:
        """Tighter stop rule for user/posts (one page less): non-pinned items come newest-first, so one
        non-pinned item older than the window start proves every later page is older too."""
        return any(not i.get("is_top") and i.get("create_time") is not None and int(i["create_time"]) < self.start_ts
                   for i in items)

    def list_reaches_start(self, items: list[dict[str, Any]]) -> bool:
        """The same for a plain newest-first list (hashtag videos): ``is_top`` means nothing there."""
        return any(i.get("create_time") is not None and int(i["create_time"]) < self.start_ts for i in items)

    # --- selection rules (same as the product's defaults) -------------------------------------------
    def comment_video_ids(self, posts_in_window: list[dict[str, Any]]) -> list[str]:
        latest = {str(p["aweme_id"]): p for p in posts_in_window}
        ranked = sorted(latest.values(), key=lambda p: (int(p["create_time"]), str(p["aweme_id"])), reverse=True)
        return [str(p["aweme_id"]) for p in ranked[: self.videos_per_account]]

    def reply_comment_ids(self, comments_of_video: list[dict[str, Any]]) -> list[str]:
        unique = {str(c["cid"]): c for c in comments_of_video
                  if self.in_window(c.get("create_time")) and int(c.get("reply_comment_total") or 0) > 0}
        ranked = sorted(unique.values(), key=lambda c: (int(c["reply_comment_total"]), str(c["cid"])), reverse=True)
        return [str(c["cid"]) for c in ranked[: self.comments_per_video]]


def build(universe: Any, *, n_accounts: int, n_hashtags: int, n_keywords: int, days: int = 30,
          today: date | None = None) -> Workload:
    """Pick entities from the universe (generated creators first) and a ``days``-long window ending today."""
    end = today or datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    accounts = list(_names(universe, "accounts"))[:n_accounts]
    hashtags = list(_names(universe, "hashtags"))[:n_hashtags]
    keywords = list(_names(universe, "keywords"))[:n_keywords]
    if len(accounts) < n_accounts or len(hashtags) < n_hashtags or len(keywords) < n_keywords:
        raise ValueError(f"universe too small for the workload: {len(accounts)} accounts, {len(hashtags)} hashtags, "
                         f"{len(keywords)} keywords")
    return Workload(accounts, hashtags, keywords, start.isoformat(), end.isoformat(),
                    publish_time="30" if days <= 30 else "90")


def _names(universe: Any, kind: str) -> list[str]:
    from .universe_view import entity_names

    return entity_names(universe, kind)
