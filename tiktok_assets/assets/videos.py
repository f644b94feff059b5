"""``tiktok/videos`` (event): full details (``/video``) of the videos discovered in the range.

Partition D = details of videos created on D that the ``posts`` or ``search_videos`` partitions of
the range or the ``hashtag_videos`` captures since the range start list, filed under ``source=<kind>:<key>`` of the stream
that found them (``account:chef_lina``, ``hashtag:cooking``, ``keyword:...``), first source wins in
that order so the table holds each video once per day. Cost: each distinct id is requested at most
once per run (deduplicated across sources), and ids already present in the ``videos`` table for
those days are skipped unless ``refresh: true``, so rerunning an unchanged day costs nothing here.
New details are added as this capture day's observation (a same-day rerun replaces only that day's
rows of the id); a source whose details failed writes nothing, so its absence shows in the
metadata and ``entities_ok`` instead of reading as "no videos". Each source is one entity of the
shared fan-out (``streams.fan_out_streams``: one stream per video id), so isolation, fatal errors and
budget stops follow the same rules as every other asset.
"""


from datetime import UTC, date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetExecutionContext, MetadataValue, asset
from pydantic import Field

from ..lake.flatten import flatten
from ..lake.schemas import SCHEMAS
from ..scavio.errors import EntityNotFoundError
from .fanout import EntityOutcome
from .streams import EntityPlan, fan_out_streams
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetEvents, AssetRun, TikTokConfig
from .decorator_args import asset_kwargs
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


@asset(**asset_kwargs("videos"))
def videos(context: AssetExecutionContext, config: VideosConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "videos", scavio, lake, config, budget) as run:
        found = discover(run)
        existing = run.lake.read("videos", dates=run.window.days(), columns=["aweme_id"])
        present = set(existing["aweme_id"].to_pylist())
        todo = [vid for vid in found if config.refresh or vid not in present]
        context.log.info(f"videos [{run.window}]: {len(found)} discovered, {len(todo)} to fetch, {len(found) - len(todo)} already stored")

        by_source: dict[str, list[str]] = {}  # source -> ids to fetch (every source gets an outcome)
        for vid, (_day, key, _via) in found.items():
            by_source.setdefault(key, [])
        for vid in todo:
            by_source[found[vid][1]].append(vid)
        details: dict[str, dict[str, Any]] = {}

        def plan(key: str, outcome: EntityOutcome) -> EntityPlan:
            return EntityPlan(streams=by_source[key], finish=lambda: write_source(key, outcome),
                              abort=lambda: run.entity_failed(key))

        def fetch(key: str, vid: str, outcome: EntityOutcome) -> None:
            try:
                details[vid] = run.client.video(vid)
            except EntityNotFoundError:  # deleted since it was listed: a note, not a failed source
                outcome.notes.append(f"video {vid} not found")

        def write_source(key: str, outcome: EntityOutcome) -> None:
            """Stage the source's new details per create day; a source whose details failed is never
            written (the fan-out aborts it), so its absence shows in ``entities_ok``, not as "no videos"."""
            by_day: dict[date, list[str]] = {}
            for vid in by_source[key]:
                if vid in details:
                    by_day.setdefault(found[vid][0], []).append(vid)
            for day, vids in sorted(by_day.items()):
                items = [details[v] for v in vids]
                new = pa.Table.from_batches([flatten("videos", items, partition_date=day, tracked_entity=key,
                                                     captured_at=run.captured_at,
                                                     extra={"discovered_via": [found[v][2] for v in vids]})])
                # rows of other ids captured earlier today stay part of today's capture of (day, source)
                old = run.lake.read("videos", dates=[day], keys=[key], captured_on=run.captured_at.date())
                old = old.filter(pc.invert(pc.is_in(old["aweme_id"], value_set=pa.array(vids, pa.string()))))
                outcome.rows += run.write_batch(key, day, pa.concat_tables([old.cast(SCHEMAS["videos"]), new]))
                outcome.partitions += 1
            run.entity_done(key)

        ordered = fan_out_streams(run, sorted(by_source), plan, fetch)
        yield from run.finish(ordered, extra={
            "videos_discovered": MetadataValue.int(len(found)),
            "videos_fetched": MetadataValue.int(len(details)),
            "videos_skipped_already_stored": MetadataValue.int(len(found) - len(todo)),
        })
