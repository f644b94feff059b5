"""``tiktok/lake_maintenance``: compact the lake's closed days and vacuum what no reader needs.

Why: each asset run commits one batch per table, so a day of a table holds a few small files per
run (plus the capture log's). Compaction rewrites every *closed* day (before today UTC, so no run
of the day is still adding to it) into few large files; the superseded files stay referenced by
older table versions until ``vacuum`` deletes the ones older than the retention. Vacuum also deletes
files a killed writer left behind (never committed, so never part of the table). The retention
must exceed the longest run: a writer's files are invisible to vacuum's reference check until it
commits, and a version being read must still find its files (time travel within the retention).
Runs daily (``tiktok_lake_maintenance_schedule``, 03:30 UTC) or on demand; safe beside writers
(compaction commits retry on conflicts, tested).
"""

import os
import time
from datetime import timedelta
from typing import Optional

from dagster import (
    AssetExecutionContext,
    Config,
    MaterializeResult,
    MetadataValue,
    DefaultScheduleStatus,
    ScheduleDefinition,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
    define_asset_job,
)
from pydantic import Field

from ..lake.captures import CAPTURES_TABLE
from ..lake.schemas import SCHEMAS
from ..lake.store import LakeResource
from .windows import today_utc

RETENTION_ENV = "TIKTOK_LAKE_VACUUM_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 168.0


def retention_hours() -> float:
    """Hours a superseded file is kept for readers and time travel (``TIKTOK_LAKE_VACUUM_RETENTION_HOURS``)."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_RETENTION_HOURS
    except ValueError:
        raise ValueError(f"{RETENTION_ENV} must be a number of hours, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{RETENTION_ENV} must be 0 or more, got {raw!r}")
    return value


class MaintenanceConfig(Config):
    closed_after_days: int = Field(default=1, ge=0, description="Compact days at least this many days before today (UTC).")
    retention_hours: Optional[float] = Field(default=None, ge=0, description=f"Vacuum retention; default {RETENTION_ENV} or 168.")


@asset(key=["tiktok", "lake_maintenance"], group_name="tiktok", kinds={"deltalake"},
       description="Keeps the lake fast and tidy: compacts the small files of every closed day (each day's "
       "captures rewritten as a few large files) and vacuums the files no current version needs, after a "
       "retention you set (`retention_hours`, default 168). Costs no credits; runs daily at 03:30 UTC by "
       "`tiktok_lake_maintenance_schedule`.")
def lake_maintenance(context: AssetExecutionContext, config: MaintenanceConfig, lake: LakeResource) -> MaterializeResult:
    the_lake = lake.get_lake()
    keep = config.retention_hours if config.retention_hours is not None else retention_hours()
    before = today_utc() - timedelta(days=config.closed_after_days - 1) if config.closed_after_days else today_utc() + timedelta(days=1)
    records, removed_total = [], 0
    started = time.perf_counter()
    for table in [*SCHEMAS, CAPTURES_TABLE]:
        uri = the_lake.join(table)
        dt = the_lake.open_table(uri)
        if dt is None:
            continue
        files_before = len(dt.file_uris())
        metrics = the_lake.compact(table, before=before) if table in SCHEMAS else the_lake.compact_uri(uri)
        vacuumed = the_lake.vacuum(uri, keep)
        files_after = len(the_lake.open_table(uri).file_uris())
        removed_total += len(vacuumed)
        records.append(TableRecord({"table": table, "files_before": files_before, "files_after": files_after,
                                    "compacted_away": int(metrics.get("numFilesRemoved", 0)), "vacuumed": len(vacuumed)}))
    schema = TableSchema(columns=[TableColumn("table", "string"), *(TableColumn(c, "int") for c in
                                  ("files_before", "files_after", "compacted_away", "vacuumed"))])
    context.log.info(f"lake maintenance: {len(records)} tables, {removed_total} files vacuumed (retention {keep:g} h)")
    return MaterializeResult(metadata={
        "tables": MetadataValue.table(records, schema=schema),
        "compacted_before": MetadataValue.text(before.isoformat()),
        "retention_hours": MetadataValue.float(float(keep)),
        "files_vacuumed": MetadataValue.int(removed_total),
        "seconds": MetadataValue.float(round(time.perf_counter() - started, 3)),
    })


lake_maintenance_job = define_asset_job("tiktok_lake_maintenance_job", selection=[lake_maintenance],
                                        description="Compact closed days and vacuum the lake.")
# Starts STOPPED (stated in the README): compaction rewrites files, so the user turns it on for a lake in use.
lake_maintenance_schedule = ScheduleDefinition(name="tiktok_lake_maintenance_schedule", job=lake_maintenance_job,
                                               cron_schedule="30 3 * * *", execution_timezone="UTC",
                                               default_status=DefaultScheduleStatus.STOPPED)
