"""The eleven TikTok assets (key prefix ``tiktok``, group ``tiktok``); their facts are in :mod:`.catalog`.

Snapshot assets (what the API says now; no partitions, each run captures now under today's UTC
date): profiles, hashtags, hashtag_videos (the feed as observed), followers, followings,
search_users. Event assets (daily partitions by UTC create day, any range, one pagination pass per
entity per run): posts, search_videos, comments, comment_replies, videos.

Each family is one ``@multi_asset`` (:mod:`.families`); ``ALL_ASSETS`` holds both.
"""

from __future__ import annotations

from ..catalog import EVENT_NAMES, SNAPSHOT_NAMES
from .decorator_args import asset_key
from .families import tiktok_events, tiktok_snapshots

ALL_ASSETS = [tiktok_snapshots, tiktok_events]

__all__ = ["ALL_ASSETS", "EVENT_NAMES", "SNAPSHOT_NAMES", "asset_key"]
