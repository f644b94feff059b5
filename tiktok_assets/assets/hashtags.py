"""``tiktok/hashtags`` and ``tiktok/hashtag_videos`` (snapshots), per tracked hashtag.

hashtags: partition D = the hashtag's details/stats as returned when captured on D.
hashtag_videos: partition D = the hashtag's video feed as observed when captured on D (UTC day of
``captured_at``): the first ``max_pages`` pages (default 10, 30 videos a page, so the top 300), in
the order the API serves them, each with its ``create_time``. Why capture-day: the reference
documents no order for ``hashtag/videos`` and TikTok ranks a hashtag's page by engagement, not time,
so no stopping rule on ``create_time`` is safe and no page can be skipped; a feed can only be
observed as it is now. Every video paged past is kept, whatever its creation day; "videos created
on day X" is derived in dbt (``fct_hashtag_daily.new_videos``) from every capture. Pages stream into
the hashtag's ``DaySink`` as they arrive (bounded memory). Both assets capture current state, so only
today's (UTC) partition can be materialized.
Cost: at most ``max_pages`` credits per hashtag per capture (fewer when the feed ends first).
Caps: when the pass stops at ``max_pages`` with ``has_more`` still set, or the feed ends at about the
API's ~2,000-video list cap, the entity's notes say so and ``feeds_capped`` counts it (metadata).
Reruns: when today's partition exists and the hashtag's ``video_count`` (freshest ``hashtags`` row)
equals the one recorded when it was written, the hashtag is skipped (``assets/state.py``; a count of 0
is not trusted; ``refresh: true`` fetches anyway).
"""


from typing import Any

from dagster import MetadataValue
from pydantic import Field

from . import resolve
from .fanout import EntityOutcome, fan_out
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .state import StreamState
from .unchanged import save_all, unchanged_single

HASHTAG_FEED_MAX_PAGES = 10  # default depth: the top 300 of the feed, 10 credits per hashtag per capture
HASHTAG_VIDEOS_CAP = 2000  # the API stops a hashtag's feed around here (platform notes)
NEAR_CAP = 0.95  # "around 2,000": a feed that ends within 5% of it is taken to be cut by the API


class HashtagVideosConfig(TikTokConfig):
    max_pages: int = Field(default=HASHTAG_FEED_MAX_PAGES, ge=1, le=1000,
                           description="Pages of the feed (30 videos, 1 credit each) read per hashtag per capture.")


def feed_cap_note(last: Any, served: int, max_pages: int) -> str | None:
    """Why the capture is not the whole feed, or None when the feed ended below any cap."""
    if last is None:
        return None
    if last.has_more and last.stop_reason is None and last.page_number >= max_pages:
        return f"max_pages ({max_pages}) reached after {served} videos; the feed goes on"
    if served >= NEAR_CAP * HASHTAG_VIDEOS_CAP:
        return f"API list cap reached ({served} videos): the rest of the feed is not served"
    return None


def hashtags(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "hashtags", scavio, lake, config, budget) as run:
        yield from run.finish(resolve.capture_each(run, "hashtag", lambda name, _outcome:
                                                   run.client.hashtag(hashtag_name=name)))


def hashtag_videos(context: AssetContext, config: HashtagVideosConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "hashtag_videos", scavio, lake, config, budget) as run:
        from .follow_lists import latest_counts

        day = run.window.start
        names = run.select("hashtags")
        counts = latest_counts(run, "hashtags", names, "video_count")
        state = StreamState(run.lake, run.name)
        capped: list[str] = []

        stream = f"feed/max_pages={config.max_pages}"  # a deeper or shallower read is another stream

        def work(name: str, outcome: EntityOutcome) -> None:
            if unchanged_single(run, state, name, stream, counts.get(name), outcome, "video_count"):
                return
            hid = resolve.hashtag_id(run, name)
            extra = {"hashtag_id": hid, "hashtag_name": name}
            served = 0
            last = None
            with DaySink(run, name, outcome) as sink:  # today's capture, also when the feed is empty
                for last in run.client.hashtag_videos(hid, max_pages=config.max_pages):
                    served += len(last.items)
                    sink.add(last.items, extra, day=day)  # every video paged past, whatever its create_time
            note = feed_cap_note(last, served, config.max_pages)
            if note:
                outcome.notes.append(note)
                capped.append(name)
            if last is not None and last.stop_reason:
                outcome.notes.append(f"feed ended after page {last.page_number}: {last.stop_reason}")
            save_all(run, state, name, {stream: counts.get(name)})  # after the commit, never before

        outcomes = fan_out(run, names, work)
        yield from run.finish(outcomes, extra={"max_pages": MetadataValue.int(config.max_pages),
                                           "feeds_capped": MetadataValue.int(len(capped))})


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"hashtags": AssetBody(hashtags, TikTokConfig), "hashtag_videos": AssetBody(hashtag_videos, HashtagVideosConfig)}
