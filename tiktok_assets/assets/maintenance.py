"""``tiktok/lake_maintenance``: compact the lake's closed days and vacuum what no reader needs.

Why: each asset run commits one batch per table, so a day of a table holds a few small files per
run (plus the capture log's). Compaction rewrites every *closed* day (before today UTC, so no run
of the day is still adding to it) that holds two or more small files into few large files; a day
compacted once is left alone, so the daily run costs what changed since yesterday, not the whole
history. The superseded files stay referenced by older table versions until ``vacuum`` deletes the
ones older than the retention. The retention must exceed the longest run: a writer's files are
invisible to vacuum's reference check until it commits, and a version being read must still find
its files (time travel within the retention).

Two vacuums (see :mod:`tiktok_assets.lake.compaction`):

* **lite** (every run): deletes the files the Delta log records as removed (compaction, replaces),
  without listing the store, so it costs the same at a year as at a month;
* **full** (``full_vacuum: true``; the schedule's Sunday run): also lists every object under each
  table, which finds the files a killed writer left behind (written, never committed) and removed
  files whose record the log dropped before a lite vacuum saw them (Delta keeps that record for
  ``delta.deletedFileRetentionDuration``, a week by default, so with a retention above 168 hours
  only the full vacuum deletes superseded files). Its cost grows with the files kept, once a week.

Runs daily (``tiktok_lake_maintenance_schedule``, 03:30 UTC) or on demand; safe beside writers
(compaction commits retry on conflicts, tested). Each table is opened once per run.
"""

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Optional

from dagster import (
    AssetExecutionContext,
    Config,
    MaterializeResult,
    MetadataValue,
    DefaultScheduleStatus,
    RunConfig,
    RunRequest,
    ScheduleEvaluationContext,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
    define_asset_job,
    schedule,
)
from pydantic import Field

from ..lake.captures import CAPTURES_TABLE
from ..lake.schemas import SCHEMAS
from ..lake.store import LakeResource
from .windows import today_utc

RETENTION_ENV = "TIKTOK_LAKE_VACUUM_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 168.0
FULL_VACUUM_WEEKDAY = 6  # Sunday (datetime.weekday()): the schedule's weekly full vacuum
MAINTENANCE_OP = "tiktok__lake_maintenance"  # the asset's op name, for run config


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
    full_vacuum: bool = Field(default=False, description=(
        "Also list every file under each table and delete those no version references (a killed writer's "
        "files; superseded files whose removal the log no longer records). Costs a store listing of the "
        "whole table; the schedule sets it on Sundays."))


@asset(key=["tiktok", "lake_maintenance"], group_name="tiktok", kinds={"deltalake"},
       description="Keeps the lake fast and tidy: compacts the closed days that hold several small files (each "
       "such day's captures rewritten as a few large files; days already compacted cost nothing) and vacuums "
       "the files no current version needs, after a retention you set (`retention_hours`, default 168). The "
       "daily vacuum deletes what the Delta log records as removed; `full_vacuum: true` also lists the store "
       "for files a killed writer left (the schedule does this on Sundays). Costs no credits; runs daily at "
       "03:30 UTC by `tiktok_lake_maintenance_schedule`.")
def lake_maintenance(context: AssetExecutionContext, config: MaintenanceConfig, lake: LakeResource) -> MaterializeResult:
    the_lake = lake.get_lake()
    keep = config.retention_hours if config.retention_hours is not None else retention_hours()
    before = today_utc() - timedelta(days=config.closed_after_days - 1) if config.closed_after_days else today_utc() + timedelta(days=1)
    records, removed_total = [], 0
    started = time.perf_counter()
    for table in [*SCHEMAS, CAPTURES_TABLE]:
        done = the_lake.maintain(table, before=before, retention_hours=keep, full_vacuum=config.full_vacuum)
        if done is None:
            continue
        removed_total += done.vacuumed
        records.append(TableRecord({"table": table, "files_before": done.files_before, "files_after": done.files_after,
                                    "compacted_away": done.compacted_away, "days_compacted": done.partitions_compacted,
                                    "vacuumed": done.vacuumed}))
    schema = TableSchema(columns=[TableColumn("table", "string"), *(TableColumn(c, "int") for c in
                                  ("files_before", "files_after", "compacted_away", "days_compacted", "vacuumed"))])
    kind = "full" if config.full_vacuum else "lite"
    context.log.info(f"lake maintenance: {len(records)} tables, {removed_total} files vacuumed "
                     f"({kind} vacuum, retention {keep:g} h)")
    return MaterializeResult(metadata={
        "tables": MetadataValue.table(records, schema=schema),
        "compacted_before": MetadataValue.text(before.isoformat()),
        "retention_hours": MetadataValue.float(float(keep)),
        "full_vacuum": MetadataValue.bool(config.full_vacuum),
        "files_vacuumed": MetadataValue.int(removed_total),
        "seconds": MetadataValue.float(round(time.perf_counter() - started, 3)),
    })


def scheduled_run_config(when: datetime) -> RunConfig:
    """The schedule's config for a run at ``when``: a full vacuum on Sundays, lite on other days."""
    return RunConfig(ops={MAINTENANCE_OP: MaintenanceConfig(full_vacuum=when.weekday() == FULL_VACUUM_WEEKDAY)})


lake_maintenance_job = define_asset_job("tiktok_lake_maintenance_job", selection=[lake_maintenance],
                                        description="Compact closed days and vacuum the lake.")
# Starts STOPPED (stated in the README): compaction rewrites files, so the user turns it on for a lake in use.
@schedule(name="tiktok_lake_maintenance_schedule", job=lake_maintenance_job, cron_schedule="30 3 * * *",
          execution_timezone="UTC", default_status=DefaultScheduleStatus.STOPPED,
          description="Daily lake maintenance at 03:30 UTC: compaction and a lite vacuum; on Sundays a full vacuum.")
def lake_maintenance_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    when = context.scheduled_execution_time or datetime.now(UTC)
    return RunRequest(run_config=scheduled_run_config(when))
