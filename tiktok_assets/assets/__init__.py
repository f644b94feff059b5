"""The eleven TikTok assets (key prefix ``tiktok``, group ``tiktok``), all on one daily partitions def.

Snapshot assets (what the API says now; only today's partition can be materialized): profiles,
hashtags, hashtag_videos (the feed as observed), followers, followings, search_users. Event assets
(items filed by UTC create day, any range, one pagination pass per entity per run): posts,
search_videos, comments, comment_replies, videos.
"""

from __future__ import annotations

from .comments import comment_replies, comments
from .graph import followers, followings
from .hashtags import hashtag_videos, hashtags
from .posts import posts
from .profiles import profiles
from .search import search_users, search_videos
from .spec import asset_key
from .videos import videos

SNAPSHOT_ASSETS = [profiles, hashtags, hashtag_videos, followers, followings, search_users]
EVENT_ASSETS = [posts, search_videos, comments, comment_replies, videos]
ALL_ASSETS = [*SNAPSHOT_ASSETS, *EVENT_ASSETS]

SNAPSHOT_NAMES: tuple[str, ...] = ("profiles", "hashtags", "hashtag_videos", "followers", "followings", "search_users")
EVENT_NAMES: tuple[str, ...] = ("posts", "search_videos", "comments", "comment_replies", "videos")

__all__ = ["ALL_ASSETS", "EVENT_ASSETS", "EVENT_NAMES", "SNAPSHOT_ASSETS", "SNAPSHOT_NAMES", "asset_key"]
