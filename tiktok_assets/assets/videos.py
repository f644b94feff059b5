"""``tiktok/videos`` (event): full details (``/video``) of the videos discovered in the range.

Partition D = details of videos created on D that the ``posts`` or ``search_videos`` partitions of
the range or the ``hashtag_videos`` captures since the range start list, filed under ``source=<kind>:<key>`` of the stream
that found them (``account:chef_lina``, ``hashtag:cooking``, ``keyword:...``), first source wins in
that order so the table holds each video once per day. Cost: each distinct id is requested at most
once per run (deduplicated across sources), and ids already present in the ``videos`` table for
those days are skipped unless ``refresh: true``, so rerunning an unchanged day costs nothing here.
New details are streamed into the run's lake batch as they arrive (``DaySink``, as every event
asset writes) as this capture day's observation (a same-day rerun replaces only that day's rows of
the id); a source whose details failed writes nothing, so its absence shows in the metadata and
``entities_ok`` instead of reading as "no videos". Each source is one entity of the shared fan-out
(``streams.fan_out_streams``: one stream per video id), so isolation, fatal errors and budget stops
follow the same rules as every other asset.
"""


from datetime import UTC, date, timedelta

from dagster import MetadataValue
from pydantic import Field

from ..scavio.errors import EntityNotFoundError
from .fanout import EntityOutcome
from .streams import EntityPlan, fan_out_streams
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .unchanged import copy_rows, not_in_set
from .windows import today_utc

# (source table, entity kind in tracked.yaml, folder prefix) in priority order.
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("posts", "accounts", "account"),
    ("hashtag_videos", "hashtags", "hashtag"),
    ("search_videos", "keywords", "keyword"),
)


class VideosConfig(TikTokConfig):
    refresh: bool = Field(default=False, description="Refetch details even for ids already in the videos table.")


def discover(run: AssetRun) -> dict[str, tuple[date, str, str]]:
    """aweme_id -> (create day, source key, discovered_via), first source wins; only ids created in
    the window. ``hashtag_videos`` is filed by capture day (a feed has no time order), so a video
    created on D can show up in any capture from D on: those captures are all read."""
    found: dict[str, tuple[date, str, str]] = {}
    since_start = [run.window.start + timedelta(days=i) for i in range((today_utc() - run.window.start).days + 1)]
    for table, kind, prefix in SOURCES:
        names = run.select(kind)
        if not names:
            continue
        days = since_start if table == "hashtag_videos" else run.window.days()
        t = run.lake.read(table, dates=days, keys=names, columns=["aweme_id", "create_time", "tracked_entity"])
        for r in t.to_pylist():
            created = r["create_time"].astimezone(UTC).date() if r["create_time"] is not None else None
            if created is not None and run.window.contains(created):
                found.setdefault(r["aweme_id"], (created, f"{prefix}:{r['tracked_entity']}", table))
    return found


def videos(context: AssetContext, config: VideosConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "videos", scavio, lake, config, budget) as run:
        found = discover(run)
        existing = run.lake.read("videos", dates=run.window.days(), columns=["aweme_id"])
        present = set(existing["aweme_id"].to_pylist())
        todo = [vid for vid in found if config.refresh or vid not in present]
        context.log.info(f"videos [{run.window}]: {len(found)} discovered, {len(todo)} to fetch, {len(found) - len(todo)} already stored")

        by_source: dict[str, list[str]] = {key: [] for _day, key, _via in found.values()}  # every source gets an outcome
        for vid in todo:
            by_source[found[vid][1]].append(vid)
        fetched: dict[str, set[str]] = {key: set() for key in by_source}  # source -> ids whose details are staged
        sinks: dict[str, DaySink] = {}

        def plan(key: str, outcome: EntityOutcome) -> EntityPlan:
            """Each detail is staged as it arrives, under its create day; a source whose details failed
            is aborted (nothing written), so its absence shows in ``entities_ok``, not as "no videos"."""
            sink = sinks[key] = DaySink(run, key, outcome, whole_window=False)

            def finish() -> None:
                # the capture replaces this capture day's rows of (day, source): rows of other ids
                # captured earlier today stay part of it
                if sink.days:
                    copy_rows(run, sink, key, not_in_set("aweme_id", fetched[key]), days=sorted(sink.days))
                sink.commit()

            return EntityPlan(streams=by_source[key], finish=finish, abort=sink.abort)

        def fetch(key: str, vid: str, outcome: EntityOutcome) -> None:
            try:
                detail = run.client.video(vid)
            except EntityNotFoundError:  # deleted since it was listed: a note, not a failed source
                outcome.notes.append(f"video {vid} not found")
                return
            day, _key, via = found[vid]
            sinks[key].add([detail], {"discovered_via": via}, day=day)
            fetched[key].add(vid)

        ordered = fan_out_streams(run, sorted(by_source), plan, fetch)
        yield from run.finish(ordered, extra={
            "videos_discovered": MetadataValue.int(len(found)),
            "videos_fetched": MetadataValue.int(sum(len(ids) for ids in fetched.values())),
            "videos_skipped_already_stored": MetadataValue.int(len(found) - len(todo)),
        })


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"videos": AssetBody(videos, VideosConfig)}
