"""The eleven TikTok assets (key prefix ``tiktok``, group ``tiktok``); their facts are in :mod:`.catalog`.

Snapshot assets (what the API says now; no partitions, each run captures now under today's UTC
date): profiles, hashtags, hashtag_videos (the feed as observed), followers, followings,
search_users. Event assets (daily partitions by UTC create day, any range, one pagination pass per
entity per run): posts, search_videos, comments, comment_replies, videos.
"""

from __future__ import annotations

from .comments import comment_replies, comments
from .follow_lists import followers, followings
from .hashtags import hashtag_videos, hashtags
from .posts import posts
from .profiles import profiles
from .search import search_users, search_videos
from .decorator_args import asset_key
from .videos import videos

from ..catalog import EVENT_NAMES, SNAPSHOT_NAMES

_BY_NAME = {a.key.path[-1]: a for a in (profiles, hashtags, hashtag_videos, followers, followings, search_users,
                                          posts, search_videos, comments, comment_replies, videos)}
SNAPSHOT_ASSETS = [_BY_NAME[n] for n in SNAPSHOT_NAMES]
EVENT_ASSETS = [_BY_NAME[n] for n in EVENT_NAMES]
ALL_ASSETS = [*SNAPSHOT_ASSETS, *EVENT_ASSETS]

__all__ = ["ALL_ASSETS", "EVENT_ASSETS", "EVENT_NAMES", "SNAPSHOT_ASSETS", "SNAPSHOT_NAMES", "asset_key"]
