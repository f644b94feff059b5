"""The one description of each TikTok asset: name, kind, what it is fetched per, dependencies, and the
text a user reads in the Dagster UI.

Why a registry: the decorators, the schedule, the CLI's names and notices, the estimate and the tests
all need the same facts about the eleven assets. Written here once, they are derived everywhere else
(``assets/decorator_args.py`` builds the decorator arguments from it), so adding or renaming an asset is a
change in one place. The module docstrings of the asset modules explain the code to maintainers; the
``description`` here explains the data to users (what it holds, how fresh, what it costs), in Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

SNAPSHOT = "snapshot"
EVENT = "event"


@dataclass(frozen=True)
class AssetInfo:
    name: str  # asset key tiktok/<name> and lake table <name>
    semantics: str  # SNAPSHOT: the state now, one capture per materialization; EVENT: items filed by create day
    per: str  # what one stream is fetched for: accounts | hashtags | keywords | videos
    deps: tuple[str, ...]
    description: str

    @property
    def partitioned(self) -> bool:
        """Event assets have daily partitions (create day); snapshots have none (each run captures now)."""
        return self.semantics == EVENT


_SNAPSHOT_NOTE = ("A snapshot: each materialization captures what the API says **now** and adds it to the lake "
                  "under today's UTC date (`partition_date`, `captured_at`); earlier captures stay. The API has "
                  "no history, so there are no past days to backfill; the daily history is in the dbt marts.")
_EVENT_NOTE = ("Daily partitions by the UTC day the item was **created**; each capture adds an observation "
               "(`captured_at`) with the statistics seen then. A date range runs as one run and costs one "
               "pagination pass per entity, not one per day.")

CATALOG: dict[str, AssetInfo] = {a.name: a for a in [
    AssetInfo("profiles", SNAPSHOT, "accounts", (),
              "One row per tracked account: handle, nickname, bio, follower/following/video/like counts. "
              f"**Cost:** 1 credit per account. {_SNAPSHOT_NOTE}"),
    AssetInfo("hashtags", SNAPSHOT, "hashtags", (),
              "One row per tracked hashtag: id, title, description, video and view counts. "
              f"**Cost:** 1 credit per hashtag. {_SNAPSHOT_NOTE}"),
    AssetInfo("hashtag_videos", SNAPSHOT, "hashtags", ("hashtags",),
              "Each tracked hashtag's video feed as the API serves it at capture (ranked by engagement, "
              "not time), to the depth set by `max_pages`; every video paged past is kept with its "
              "`create_time`. Videos created on a given day are derived in dbt (`fct_hashtag_daily`). "
              "**Cost:** at most `max_pages` credits per hashtag (default 10: the top 300 videos); a "
              f"feed cut short by `max_pages` or the API's ~2,000 cap is counted in `feeds_capped`. {_SNAPSHOT_NOTE}"),
    AssetInfo("followers", SNAPSHOT, "accounts", ("profiles",),
              "Each tracked account's followers (TikTok stops the list around 5,000; reaching it is noted). "
              "**Cost:** about one credit per 20 followers; skipped for a rerun when the follower count is "
              f"unchanged. {_SNAPSHOT_NOTE}"),
    AssetInfo("followings", SNAPSHOT, "accounts", ("profiles",),
              "The accounts each tracked account follows. **Cost:** about one credit per 20 entries; skipped "
              f"for a rerun when the following count is unchanged. {_SNAPSHOT_NOTE}"),
    AssetInfo("search_users", SNAPSHOT, "keywords", (),
              "The users a search for each tracked keyword returns, with their rank. **Cost:** one credit per "
              f"page of up to 30 users. {_SNAPSHOT_NOTE}"),
    AssetInfo("posts", EVENT, "accounts", ("profiles",),
              "The videos each tracked account posted, with captions, sound, duration and their play, like, "
              "comment, share and bookmark counts. A daily run also re-observes the last `reobserve_days` "
              "(default 7) of posts from the same pass, which gives each video's performance curve "
              f"(`fct_video_curve`). **Cost:** one credit per page of 30, newest first, down to the range start. {_EVENT_NOTE}"),
    AssetInfo("search_videos", EVENT, "keywords", (),
              "Videos a search for each tracked keyword returns, created in the range, with their rank in "
              "the results. **Cost:** the pages of the search (up to ~300 results) per keyword per run, "
              f"narrowed by the API's `publish_time` filter. {_EVENT_NOTE}"),
    AssetInfo("comments", EVENT, "accounts", ("posts",),
              "Comments created in the range on each account's selected videos (`videos_per_account`, "
              "default the 10 most recent). **Cost:** the API has no time order for comments, so one full "
              "pass per video: about one credit per 50 comments (TikTok serves ~1,000 per video); a video "
              f"whose comment count is unchanged is skipped on a rerun. {_EVENT_NOTE}"),
    AssetInfo("comment_replies", EVENT, "accounts", ("comments",),
              "Replies created in the range to the top comments of each video (`comments_per_video`, "
              "default 5, by reply count). **Cost:** one full pass per comment, about one credit per 50 "
              f"replies; unchanged reply counts are skipped on a rerun. {_EVENT_NOTE}"),
    AssetInfo("videos", EVENT, "videos", ("posts", "hashtag_videos", "search_videos"),
              "Full details of the videos the other assets discovered: play and download URLs, cover, "
              "duration, hashtags and mentions. **Cost:** 1 credit per video not yet stored for its day "
              f"(each id once per run, across all sources). {_EVENT_NOTE}"),
]}

SNAPSHOT_NAMES: tuple[str, ...] = tuple(n for n, a in CATALOG.items() if a.semantics == SNAPSHOT)
EVENT_NAMES: tuple[str, ...] = tuple(n for n, a in CATALOG.items() if a.semantics == EVENT)
ALL_NAMES: tuple[str, ...] = tuple(CATALOG)
