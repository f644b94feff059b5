"""``tiktok/videos`` (event): full details (``/video``) of the videos discovered in the range.

Partition D = details of videos created on D that the ``posts`` or ``search_videos`` partitions of
the range or the ``hashtag_videos`` captures since the range start list, filed under ``source=<kind>:<key>`` of the stream
that found them (``account:chef_lina``, ``hashtag:cooking``, ``keyword:...``), first source wins in
that order so the table holds each video once per day. Cost: each distinct id is requested at most
once per run (deduplicated across sources), and ids already present in the ``videos`` table for
those days are skipped unless ``refresh: true``, so rerunning an unchanged day costs nothing here.
New details are added as this capture day's observation (a same-day rerun replaces only that day's
rows of the id); a source whose details failed writes nothing, so its absence shows in the
metadata and ``entities_ok`` instead of reading as "no videos".
"""


import time
from datetime import UTC, date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetExecutionContext, Failure, MetadataValue, asset
from pydantic import Field

from ..lake.flatten import flatten
from ..lake.schemas import SCHEMAS
from ..scavio.errors import EntityNotFoundError
from .fanout import EntityOutcome, describe_entity_error, is_entity_error
from .resources import BudgetResource, LakeResource, ScavioResource
from .runtime import AssetEvents, AssetRun, TikTokConfig
from .spec import asset_kwargs
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

        groups: dict[tuple[date, str], list[str]] = {}
        for vid, (day, key, _via) in found.items():
            groups.setdefault((day, key), [])
        outcomes: dict[str, EntityOutcome] = {key: EntityOutcome(key) for (_d, key) in groups}
        details: dict[str, dict[str, Any]] = {}

        def fetch(vid: str) -> dict[str, Any]:
            with run.client.tagged(asset="videos", partition=str(run.window), entity=found[vid][1]):
                return run.client.video(vid)

        started = time.perf_counter()
        for vid, result in run.client.map_concurrent(fetch, todo):
            key = found[vid][1]
            if isinstance(result, BaseException):
                if isinstance(result, EntityNotFoundError):
                    outcomes[key].notes.append(f"video {vid} not found")
                elif is_entity_error(result):
                    outcomes[key].error = describe_entity_error(key, result)
                else:
                    raise Failure(description=f"videos [{run.window}] stopped: {type(result).__name__}: {result}. "
                                  "Partitions already committed stay intact.") from result
            else:
                details[vid] = result
                groups[(found[vid][0], key)].append(vid)

        for (day, key), vids in sorted(groups.items()):
            if not vids or not outcomes[key].ok:
                continue  # nothing new, or the source failed: write nothing that looks like data
            items = [details[v] for v in vids]
            vias = [found[v][2] for v in vids]
            new = pa.Table.from_batches([flatten("videos", items, partition_date=day, tracked_entity=key,
                                                 captured_at=run.captured_at, extra={"discovered_via": vias})])
            # rows of other ids captured earlier today stay part of today's capture of (day, source)
            old = run.lake.read("videos", dates=[day], keys=[key], captured_on=run.captured_at.date())
            old = old.filter(pc.invert(pc.is_in(old["aweme_id"], value_set=pa.array(vids, pa.string()))))
            new = pa.concat_tables([old.cast(SCHEMAS["videos"]), new])
            outcomes[key].rows += run.write_batch(key, day, new)
            outcomes[key].partitions += 1
        elapsed = round(time.perf_counter() - started, 3)
        ordered = [outcomes[k] for k in sorted(outcomes)]
        for o in ordered:
            o.seconds = elapsed
        run.fill_ledger_stats(ordered)
        yield from run.finish(ordered, extra={
            "videos_discovered": MetadataValue.int(len(found)),
            "videos_fetched": MetadataValue.int(len(details)),
            "videos_skipped_already_stored": MetadataValue.int(len(found) - len(todo)),
        })
