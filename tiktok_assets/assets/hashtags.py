"""``tiktok/hashtags`` (snapshot) and ``tiktok/hashtag_videos`` (event).

hashtags: partition D = the hashtag's details/stats as returned when captured on D; only today's
(UTC) partition can be materialized (the API serves current state only).
hashtag_videos: partition D = videos of the hashtag created on D. The API documents no order; we
assume newest-first (``assume_newest_first``, default True) and stop after the first page reaching
past the range start, so a range costs one pass. Set it False for a full pass. The API stops
around 2,000 videos; hitting that is recorded in metadata, not an error.
Reruns: when every day of the range has a partition and the hashtag's ``video_count`` (freshest
``hashtags`` row) equals the one recorded when they were written, the hashtag is skipped
(``assets/state.py``; a count of 0 is not trusted; ``refresh: true`` fetches anyway).
"""


from dagster import AssetExecutionContext, MaterializeResult, asset
from pydantic import Field

from . import resolve
from .fanout import EntityOutcome, fan_out
from .posts import newest_first_pass, write_days
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import EVENT, SNAPSHOT, asset_kwargs
from .state import StreamState, usable_count

HASHTAG_VIDEOS_CAP = 2000


class HashtagVideosConfig(TikTokConfig):
    assume_newest_first: bool = Field(default=True, description="Stop paging once a page is older than the range.")


@asset(**asset_kwargs("hashtags", semantics=SNAPSHOT, description=__doc__))
def hashtags(context: AssetExecutionContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "hashtags", scavio, lake, config) as run:
        run.require_today()

        def work(name: str, outcome: EntityOutcome) -> None:
            info = run.client.hashtag(hashtag_name=name)
            resolve.remember(run, "hashtag", name, (info.get("challenge") or {}).get("id"))
            outcome.rows = run.write(name, run.window.start, [info])
            outcome.partitions = 1

        return run.finish(fan_out(run, run.select("hashtags"), work))


@asset(**asset_kwargs("hashtag_videos", semantics=EVENT, description=__doc__, deps=["hashtags"]))
def hashtag_videos(context: AssetExecutionContext, config: HashtagVideosConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "hashtag_videos", scavio, lake, config) as run:
        from .graph import latest_counts

        names = run.select("hashtags")
        counts = latest_counts(run, "hashtags", names, "video_count")
        state = StreamState(run.lake, run.name)

        def unchanged(name: str) -> bool:
            count = usable_count(counts.get(name))
            if config.refresh or count is None:
                return False
            for day in run.window.days():
                doc = state.load(day, name)
                if doc is None or doc.get("count") != count or not run.lake.exists(run.name, day, name):
                    return False
            return True

        def work(name: str, outcome: EntityOutcome) -> None:
            if unchanged(name):
                outcome.skipped = 1
                outcome.notes.append(f"video_count unchanged ({counts[name]}): partitions kept")
                return
            hid = resolve.hashtag_id(run, name)
            pages = run.client.hashtag_videos(hid)
            if config.assume_newest_first:
                items = newest_first_pass(run, pages, outcome, cap=HASHTAG_VIDEOS_CAP)
            else:
                items = [item for page in pages for item in page.items]
                if len(items) >= HASHTAG_VIDEOS_CAP:
                    outcome.notes.append(f"list cap reached ({len(items)} items)")
            for day in run.window.days():
                state.forget(day, name)
            write_days(run, name, items, outcome, extra={"hashtag_id": hid, "hashtag_name": name})
            for day in run.window.days():  # after the commits, never before
                state.save(day, name, {"count": counts.get(name)})

        return run.finish(fan_out(run, names, work))
