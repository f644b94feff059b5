"""The state of one asset execution: resources, window, selected entities, writes and metadata.

Why one small object: all eleven assets share the same plumbing (which days, which entities, where
to write, how to report). Keeping it here lets each asset module contain only its fetch semantics.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
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
from ..budget.runtime import run_budget_limits
from ..budget.settings import BudgetSettings
from ..lake.flatten import flatten
from ..partitions import ENTITIES_TAG, day_range_problem, parse_entities_tag, requested_days
from ..tracking import TrackedFileError, load_tracked
from .status import status_rows
from .windows import Window, today_utc

ENTITIES_CHECK = "entities_ok"
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


def refuse_bad_request(context: AssetExecutionContext, name: str, config: TikTokConfig) -> None:
    """Fail the step, with one line, when the run asks for days that cannot be captured (before the
    first partition, or after today UTC), names entities that are not tracked, or the tracked file is
    broken. A run launched from the UI or a script with such tags would otherwise spend credits on
    days that have not happened or silently capture nothing."""
    days = requested_days(context.run.tags)
    problem = day_range_problem(*days, today_utc()) if days else None
    if problem is None:
        try:
            tracked = load_tracked()
        except TrackedFileError as exc:
            problem = str(exc)
        else:
            wanted = list(config.entities) or parse_entities_tag(context.run.tags.get(ENTITIES_TAG)) or []
            unknown = [w for w in wanted if w not in tracked.all_names()]
            if unknown:
                problem = f"not tracked: {', '.join(unknown)} (track them first, or fix the names)"
    if problem:
        raise Failure(description=f"{name}: {problem}. Nothing was requested or written.", allow_retries=False)


@dataclass
class AssetRun:
    context: AssetExecutionContext
    name: str  # asset name == lake table name
    client: Any  # TikTokApi
    lake: Any  # tiktok_assets.lake.Lake
    window: Window
    config: TikTokConfig
    ledger_start: int = 0
    captured_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    preview: pa.Table | None = None
    batches: dict[str, Any] = field(default_factory=dict)  # table -> lake TableBatch of this run

    @classmethod
    def start(cls, context: AssetExecutionContext, name: str, scavio: Any, lake: Any, config: TikTokConfig) -> AssetRun:
        """Open one asset execution; use it as ``with AssetRun.start(...) as run:``.

        The client gets the shared daily/monthly budget limits (reserved before every request, across
        processes), and leaving the block flushes this asset's ledger entries to ``credit_ledger``,
        also when the body raised: a failed run still records what it spent.
        """
        refuse_bad_request(context, name, config)  # before any request: nothing spent, nothing written
        tw = context.partition_time_window
        the_lake = lake.get_lake()
        limits = run_budget_limits(the_lake, BudgetSettings.from_env(), scavio.api_key, context.run_id)
        client = scavio.get_client(run_id=context.run_id, extra_limits=limits)
        run = cls(context, name, client, the_lake, Window.from_datetimes(tw.start, tw.end), config,
                  ledger_start=len(client.ledger))
        context.log.info(f"{name}: window {run.window}")
        return run

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
    def require_today(self) -> None:
        """Snapshot assets: the API serves only current state, so only today's partition is honest."""
        today = today_utc()
        if self.window.start != today or self.window.end != today:
            raise Failure(
                description=(
                    f"{self.name} is a snapshot asset: refusing partition {self.window}. The API only returns the "
                    f"current state, so a capture can only be filed under today's UTC date ({today}); "
                    f"backfilling past days would store today's numbers under the wrong date. Nothing was written."
                ),
                allow_retries=False,
            )

    def wanted(self) -> list[str] | None:
        return list(self.config.entities) or parse_entities_tag(self.context.run.tags.get(ENTITIES_TAG))

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
    # Rows are staged per entity in one lake TableBatch per table (tiktok_assets/lake/batch.py) and
    # committed together: an entity's rows join the commit when it finished (``entity_done``, called
    # by the fan-out), are dropped when it failed (``entity_failed``), and land at ``finish`` (or when
    # the run stops on a fatal error: what finished is still committed, see ``__exit__``).
    def batch(self, table: str | None = None) -> Any:
        table = table or self.name
        if table not in self.batches:
            self.batches[table] = self.lake.batch(table)
        return self.batches[table]

    def write(self, key: str, day: date, items: Sequence[dict[str, Any]], extra: dict[str, Any] | None = None,
              table: str | None = None) -> int:
        """Stage this capture of (day, entity); empty ``items`` records a capture with no rows."""
        table = table or self.name
        batch = flatten(table, list(items), partition_date=day, tracked_entity=key, captured_at=self.captured_at, extra=extra)
        return self.write_batch(key, day, batch, table=table)

    def write_batch(self, key: str, day: date, batch: pa.RecordBatch | pa.Table, table: str | None = None) -> int:
        """Stage rows already in the table's schema as this run's capture of (day, entity)."""
        rows = self.batch(table).put(key, day, batch, captured_at=self.captured_at)
        if self.preview is None and batch.num_rows:
            self.preview = (pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch).slice(0, PREVIEW_ROWS)
        return rows

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

    def finish(self, outcomes: Sequence[Any], extra: dict[str, Any] | None = None) -> MaterializeResult:
        for o in outcomes:  # entities the fan-out did not already settle (e.g. videos)
            (self.entity_done if o.ok else self.entity_failed)(o.entity)
        self.commit_finished()
        for batch in self.batches.values():
            batch.close()
        self.lake.append("entity_status", status_rows(self, outcomes))  # after the data it describes
        entries = self.entries()
        latencies = sorted(e.latency_ms for e in entries if e.latency_ms is not None)
        remaining = [e.credits_remaining for e in entries if e.credits_remaining is not None]
        failed = [o for o in outcomes if not o.ok]
        path = self.lake.table_uri(self.name)
        metadata: dict[str, Any] = {
            "dagster/row_count": MetadataValue.int(sum(o.rows for o in outcomes)),
            "window": MetadataValue.text(str(self.window)),
            "pages": MetadataValue.int(sum(1 for e in entries if e.credits_used > 0)),
            "credits_used": MetadataValue.int(sum(e.credits_used for e in entries)),
            "credits_remaining": MetadataValue.int(remaining[-1]) if remaining else MetadataValue.text("n/a"),
            "api_latency_p50_ms": MetadataValue.float(float(statistics.median(latencies)) if latencies else 0.0),
            "api_latency_p95_ms": MetadataValue.float(float(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]) if latencies else 0.0),
            "lake_path": MetadataValue.url(path) if "://" in path else MetadataValue.path(path),
            "entities": self.entity_table(outcomes),
            "failed_entities": MetadataValue.json([o.entity for o in failed]),
            "streams_skipped_unchanged": MetadataValue.int(sum(getattr(o, "skipped", 0) for o in outcomes)),
            "preview": MetadataValue.md(markdown_preview(self.preview)),
        }
        metadata.update(extra or {})
        check = AssetCheckResult(
            check_name=ENTITIES_CHECK,
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            description=("all entities ok" if not failed else "failed: " + "; ".join(o.error for o in failed)),
            metadata={"failed_entities": MetadataValue.json([o.entity for o in failed]),
                      "entities": MetadataValue.int(len(outcomes))},
        )
        return MaterializeResult(metadata=metadata, check_results=[check])


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
