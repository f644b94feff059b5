"""The state of one asset execution: resources, window, selected entities, writes and metadata.

Why one small object: all eleven assets share the same plumbing (which days, which entities, where
to write, how to report). Keeping it here lets each asset module contain only its fetch semantics.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetMaterialization,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
)
from pydantic import Field

from ..budget.ledger_sink import ledger_flushing
from ..budget.resource import BudgetResource
from ..budget.run_limit import attach_budget
from ..lake.store import Lake, LakeResource
from ..scavio.protocol import TikTokApi
from ..scavio.resource import ScavioResource
from ..partitions import ENTITIES_TAG, day_range_problem, parse_entities_tag, requested_days
from ..tracking import TrackedFileError, load_tracked
from .context import AssetContext
from .family_runner import DEPENDENTS_MAY_START, DependentsMayStart
from .status import status_rows
from .windows import Window, today_utc

ENTITIES_CHECK = "entities_ok"
# What an asset body yields: its result (with the check), after the materializations of re-observed days;
# before them, DEPENDENTS_MAY_START once its data is committed (the family runner's signal, not an event).
AssetEvents = Iterator[AssetMaterialization | MaterializeResult | DependentsMayStart]
PREVIEW_ROWS = 5


class TikTokConfig(Config):
    """Run config shared by every TikTok asset."""

    entities: list[str] = Field(
        default_factory=list,
        description="Restrict this asset to these tracked names (overrides the tiktok/entities run tag). "
        "Empty = all tracked entities of the asset's kind.",
    )
    refresh: bool = Field(
        default=False,
        description="Fetch every stream even when its parent count says it is unchanged since its partitions "
        "were written (see tiktok_assets/assets/state.py); videos: refetch details already stored.",
    )


@dataclass(frozen=True)
class AssetBody:
    """One asset's body and its run config class; each asset module lists its own in ``BODIES``.

    Why plain functions: the decorator is ``families.py``'s (one ``@multi_asset`` per family); a body
    is ``fn(context, config, scavio, lake, budget)`` and yields its asset's events.
    """

    fn: Callable[..., AssetEvents]
    config: type[TikTokConfig]


def refuse_bad_request(context: AssetContext, name: str, config: TikTokConfig) -> None:
    """Fail the step, with one line, when the run asks for days that cannot be captured (before the
    first partition, or after today UTC), names entities that are not tracked, or the tracked file is
    broken. A run launched from the UI or a script with such tags would otherwise spend credits on
    days that have not happened or silently capture nothing."""
    days = requested_days(context.run_tags)
    problem = day_range_problem(*days, today_utc()) if days else None
    if problem is None:
        try:
            tracked = load_tracked()
        except TrackedFileError as exc:
            problem = str(exc)
        else:
            wanted = list(config.entities) or parse_entities_tag(context.run_tags.get(ENTITIES_TAG)) or []
            unknown = [w for w in wanted if w not in tracked.all_names()]
            if unknown:
                problem = f"not tracked: {', '.join(unknown)} (track them first, or fix the names)"
    if problem:
        raise Failure(description=f"{name}: {problem}. Nothing was requested or written.", allow_retries=False)


@dataclass
class AssetRun:
    context: AssetContext
    name: str  # asset name == lake table name
    client: TikTokApi
    lake: Lake
    window: Window
    config: TikTokConfig
    ledger_start: int = 0
    # whole seconds: the lake's captured_at is timestamp[s] (the schema contract)
    captured_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    batches: dict[str, Any] = field(default_factory=dict)  # table -> lake TableBatch of this run

    previews: dict[date, pa.Table] = field(default_factory=dict)  # the first rows staged per day
    # the days the run was launched for (its partitions); ``window`` may be wider (posts re-observe days before)
    partitions: Window | None = None

    @classmethod
    def start(cls, context: AssetContext, name: str, scavio: ScavioResource, lake: LakeResource,
              config: TikTokConfig, budget: BudgetResource) -> AssetRun:
        """Open one asset execution; use it as ``with AssetRun.start(...) as run:``.

        The window: an event asset's partition (range); a snapshot asset (no partitions) captures
        now, filed under today's UTC date. The client gets the budget in force for this run, as the
        ``budget`` resource holds it (what the UI's resource page and the launchpad show): the shared
        daily/monthly limits (reserved before every request, across processes) and the per-run cap.
        Leaving the block flushes this asset's ledger entries to ``credit_ledger``, also when the body
        raised: a failed run still records what it spent.
        """
        refuse_bad_request(context, name, config)  # before any request: nothing spent, nothing written
        if not context.partitioned or context.time_window is None:
            today = today_utc()
            window = Window(today, today)
        else:
            tw = context.time_window
            window = Window.from_datetimes(tw.start, tw.end)
        the_lake = lake.get_lake()
        settings = budget.get_settings()
        client = scavio.get_client(run_id=context.run_id)
        attach_budget(client, the_lake, settings, scavio.api_key, context.run_id)
        client.run_cap.tighten(settings.cap_per_run)
        run = cls(context, name, client, the_lake, window, config, ledger_start=len(client.ledger),
                  partitions=window)
        context.log.info(f"{name}: window {run.window}")
        return run

    @property
    def partitioned(self) -> bool:
        return self.context.partitioned

    def __enter__(self) -> AssetRun:
        self._flushing = ledger_flushing(self.lake, self.client, self.context.run_id, asset=self.name)
        self._flushing.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> bool | None:
        try:
            self.commit_finished(failing=exc_info[0] is not None)
        except BaseException as exc:  # the ledger is flushed also when the last commit failed
            self._flushing.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self._flushing.__exit__(*exc_info)

    # --- what to fetch -----------------------------------------------------------------------------
    def wanted(self) -> list[str] | None:
        return list(self.config.entities) or parse_entities_tag(self.context.run_tags.get(ENTITIES_TAG))

    def select(self, kind: str) -> list[str]:
        """Tracked entities of ``kind`` (accounts/hashtags/keywords), narrowed by config or run tag."""
        tracked = load_tracked()
        names = list(tracked.of(kind))
        wanted = self.wanted()
        if wanted:
            unknown = [w for w in wanted if w not in tracked.all_names()]
            if unknown:
                self.context.log.warning(f"{self.name}: not tracked, ignored: {', '.join(unknown)}")
            names = [n for n in names if n in wanted]
        self.context.log.info(f"{self.name}: {len(names)} {kind} selected")
        return names

    # --- writing -----------------------------------------------------------------------------------
    # The one write path: every asset streams an entity's pages through a ``DaySink`` (.sink), which
    # stages them per entity in one lake TableBatch per table (tiktok_assets/lake/batch.py, bounded
    # memory) as they arrive. Staged rows are committed together: an entity's rows join the commit when
    # it finished (its sink's ``commit``; ``entity_done``, called by the fan-out), are dropped when it
    # failed (the sink's ``abort``, ``entity_failed``), and land at ``finish`` (or when the run stops
    # on a fatal error: what finished is still committed, see ``__exit__``).
    def batch(self, table: str | None = None) -> Any:
        table = table or self.name
        if table not in self.batches:
            self.batches[table] = self.lake.batch(table)
        return self.batches[table]

    def staged(self, table: str, day: date, batch: pa.RecordBatch | pa.Table) -> None:
        """Keep the first rows staged for each day of the asset's own table, for that partition's preview
        (topped up from later pages while a page holds fewer than ``PREVIEW_ROWS``)."""
        held = self.previews.get(day)
        if table != self.name or not batch.num_rows or (held is not None and held.num_rows >= PREVIEW_ROWS):
            return
        rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if held is not None:
            if rows.schema != held.schema:  # rows copied from the lake, say: a preview never fails a write
                return
            rows = pa.concat_tables([held, rows])
        self.previews[day] = rows.slice(0, PREVIEW_ROWS)

    def entity_done(self, key: str) -> None:
        for batch in list(self.batches.values()):
            batch.done(key)

    def entity_failed(self, key: str) -> None:
        for batch in list(self.batches.values()):
            batch.drop(key)

    def commit_finished(self, failing: bool = False) -> None:
        """Commit every finished entity; on the way out of a failing run, log instead of masking."""
        try:
            for batch in list(self.batches.values()):
                batch.commit()
        except Exception:
            if not failing:
                raise
            self.context.log.exception(f"{self.name}: could not commit the entities that finished")
        finally:
            if failing:
                for batch in self.batches.values():
                    batch.close()

    # --- reporting ---------------------------------------------------------------------------------
    def entries(self) -> list[Any]:
        return [e for e in self.client.ledger[self.ledger_start:] if e.asset == self.name]

    def credits_used(self) -> int:
        return sum(e.credits_used for e in self.entries())

    def fill_ledger_stats(self, outcomes: Iterable[Any]) -> None:
        by_entity: dict[str | None, list[Any]] = {}
        for e in self.entries():
            by_entity.setdefault(e.entity, []).append(e)
        for o in outcomes:
            mine = by_entity.get(o.entity, [])
            o.pages = sum(1 for e in mine if e.credits_used > 0)
            o.credits = sum(e.credits_used for e in mine)

    def entity_table(self, outcomes: Sequence[Any]) -> MetadataValue:
        cols = ["entity", "rows", "partitions", "pages", "credits", "seconds", "error", "notes"]
        schema = TableSchema(columns=[TableColumn(c, "string" if c in ("entity", "error", "notes") else "float" if c == "seconds" else "int") for c in cols])
        records = [TableRecord({"entity": o.entity, "rows": o.rows, "partitions": o.partitions, "pages": o.pages,
                                "credits": o.credits, "seconds": float(o.seconds), "error": o.error or "",
                                "notes": "; ".join(o.notes)}) for o in outcomes]
        return MetadataValue.table(records, schema=schema)

    def finish(self, outcomes: Sequence[Any], extra: dict[str, Any] | None = None) -> AssetEvents:
        """Commit what finished, record each entity's status, and report to Dagster (``yield from``).

        Every partition's materialization describes that day: the rows the lake holds for it after the
        run, the rows this capture holds, the credits allocated to it and its preview (added per
        partition with ``add_asset_metadata``), so a single-run backfill over 30 days shows 30 true
        partitions, not 30 copies of the range's totals. Days the run captured beyond its partitions
        (a daily ``posts`` run re-observes the week before) are reported as materialized too, with
        their own metadata: their partitions hold complete captures, and the UI must not call them
        missing. A snapshot asset has one materialization, for the capture it filed under today. The
        run-wide figures (pages, the run's credits, latencies, the per-entity table) are the same on
        every partition of the run.
        """
        self.commit_finished()
        for batch in self.batches.values():
            batch.close()
        yield DEPENDENTS_MAY_START  # what they read is committed; the rest is this asset's own reporting
        self.lake.append("entity_status", status_rows(self, outcomes))  # after the data it describes
        failed = [o for o in outcomes if not o.ok]
        check = AssetCheckResult(
            check_name=ENTITIES_CHECK,
            asset_key=self.context.asset_key,
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            description=("all entities ok" if not failed else "failed: " + "; ".join(o.error for o in failed)),
            metadata={"failed_entities": MetadataValue.json([o.entity for o in failed]),
                      "entities": MetadataValue.int(len(outcomes))},
        )
        checks = [check] if self.context.entities_check else []  # Dagster warns on a result not selected
        run_md = {**self.run_metadata(outcomes), **(extra or {})}
        run_credits = run_md["credits_used"].value
        days = self.window.days()
        held, captured = self.lake.day_counts(self.name, days, captured_at=self.captured_at)
        if not self.partitioned:
            day = self.window.start
            yield MaterializeResult(asset_key=self.context.asset_key, metadata={**run_md, **self.day_metadata(day, held[day], captured[day], run_credits)},
                                    check_results=checks)
            return
        targets = {d.isoformat() for d in (self.partitions or self.window).days()}
        for day, spent in zip(days, allocate(run_credits, [captured[d] for d in days])):
            md = {**run_md, "run_credits_used": MetadataValue.int(run_credits),
                  **self.day_metadata(day, held[day], captured[day], spent)}
            if day.isoformat() in targets:
                self.context.add_metadata(md, partition_key=day.isoformat())
            else:  # re-observed: not one of the run's partitions, so its own event
                yield AssetMaterialization(asset_key=self.context.asset_key, partition=day.isoformat(),
                                           metadata={**md, "reobserved": MetadataValue.bool(True)})
        yield MaterializeResult(asset_key=self.context.asset_key, check_results=checks)

    def day_metadata(self, day: date, held: int, captured: int, credits: int) -> dict[str, Any]:
        """What one day (partition) holds: numbers stay numbers on every run, for the UI's plots."""
        return {
            "dagster/row_count": MetadataValue.int(held),
            "rows_captured": MetadataValue.int(captured),
            "credits_used": MetadataValue.int(credits),
            "preview": MetadataValue.md(markdown_preview(self.previews.get(day))),
        }

    def run_metadata(self, outcomes: Sequence[Any]) -> dict[str, Any]:
        """What the whole run did for this asset (every partition of a range carries the same values)."""
        entries = self.entries()
        latencies = sorted(e.latency_ms for e in entries if e.latency_ms is not None)
        remaining = [e.credits_remaining for e in entries if e.credits_remaining is not None]
        path = self.lake.table_uri(self.name)
        metadata: dict[str, Any] = {
            "window": MetadataValue.text(str(self.window)),
            "pages": MetadataValue.int(sum(1 for e in entries if e.credits_used > 0)),
            "credits_used": MetadataValue.int(sum(e.credits_used for e in entries)),
            "api_latency_p50_ms": MetadataValue.float(float(statistics.median(latencies)) if latencies else 0.0),
            "api_latency_p95_ms": MetadataValue.float(float(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]) if latencies else 0.0),
            "lake_path": MetadataValue.url(path) if "://" in path else MetadataValue.path(path),
            "entities": self.entity_table(outcomes),
            "failed_entities": MetadataValue.json([o.entity for o in outcomes if not o.ok]),
            "streams_skipped_unchanged": MetadataValue.int(sum(getattr(o, "skipped", 0) for o in outcomes)),
        }
        if remaining:  # only when the API said so: a text placeholder would break the UI's plot of the key
            metadata["credits_remaining"] = MetadataValue.int(remaining[-1])
        return metadata


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` credits over days in proportion to ``weights`` (rows captured per day), by
    largest remainder, so the days add up to the run's credits exactly; evenly when no day has rows.

    Why an allocation: one pagination pass serves the whole range (a page can span days), so a
    request has no single day; the run total stays in ``run_credits_used``.
    """
    if not weights:
        return []
    base = list(weights) if sum(weights) else [1] * len(weights)
    whole = sum(base)
    shares = [total * w / whole for w in base]
    out = [int(x) for x in shares]
    for i in sorted(range(len(base)), key=lambda i: shares[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def markdown_preview(table: pa.Table | None, max_cols: int = 6) -> str:
    """A few rows as a Markdown table (no tabulate dependency); skips the bulky ``raw`` column."""
    if table is None or table.num_rows == 0:
        return "_no rows_"
    cols = [c for c in table.column_names if c != "raw"][:max_cols]
    rows = table.select(cols).to_pylist()

    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text[:60] + ("…" if len(text) > 60 else "")

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)
