"""The daily schedule, its jobs, and the sensor that runs dbt once a day's data is complete.

Why two runs per day from ONE schedule: a run covers one partition (range), but the two kinds of
asset want different days at 00:15 UTC. Event assets (posts, comments, ...) take *yesterday*,
which is now complete (a post made at 23:59 is in it); snapshot assets (profiles, followers, ...)
can only be captured *today*. So the schedule emits two ``RunRequest`` s on the same job, each with
its own ``partition_key`` and ``asset_selection`` and a shared ``tiktok/daily`` tag.
Why dbt from a run-status sensor rather than inside one of the runs: the marts join both runs'
tables, and the runs may execute concurrently. The sensor requests the dbt job (run key
``dbt-<day>``, so at most once per day) only when BOTH tagged runs of that day have succeeded.
"""

from __future__ import annotations

from datetime import timedelta

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    ScheduleEvaluationContext,
    SensorDefinition,
    SkipReason,
    define_asset_job,
    run_status_sensor,
    schedule,
)

from .assets import EVENT_NAMES, SNAPSHOT_NAMES, asset_key
from .budget.resource import BudgetResource
from .budget.sensors import budget_gate
from .lake.store import LakeResource
from .partitions import daily_partitions

DAILY_TAG = "tiktok/daily"
KIND_TAG = "tiktok/kind"

tiktok_daily_job = define_asset_job(
    "tiktok_daily_job",
    selection=AssetSelection.groups("tiktok"),
    partitions_def=daily_partitions,
    description="All TikTok assets; the daily schedule runs it twice (snapshots today, events yesterday).",
)


@schedule(job=tiktok_daily_job, cron_schedule="15 0 * * *", execution_timezone="UTC", name="tiktok_daily_schedule",
          description="00:15 UTC: today's snapshots and yesterday's (complete) events; dbt follows via sensor.")
def tiktok_daily_schedule(context: ScheduleEvaluationContext, lake: LakeResource, budget: BudgetResource):
    skip = budget_gate(lake.get_lake(), budget.get_settings())
    if skip is not None:  # the credit budget is spent: no run is launched; resumes when the window resets
        yield skip
        return
    today = context.scheduled_execution_time.date()
    yesterday = today - timedelta(days=1)
    yield RunRequest(
        run_key=f"snapshots-{today}",
        partition_key=today.isoformat(),
        asset_selection=[asset_key(n) for n in SNAPSHOT_NAMES],
        tags={DAILY_TAG: today.isoformat(), KIND_TAG: "snapshot"},
    )
    yield RunRequest(
        run_key=f"events-{yesterday}",
        partition_key=yesterday.isoformat(),
        asset_selection=[asset_key(n) for n in EVENT_NAMES],
        tags={DAILY_TAG: today.isoformat(), KIND_TAG: "event"},
    )


def build_dbt_after_daily_sensor(dbt_job) -> SensorDefinition:
    """Request ``dbt_job`` once both of a day's runs succeeded (needs the dbt job to exist)."""

    @run_status_sensor(run_status=DagsterRunStatus.SUCCESS, monitored_jobs=[tiktok_daily_job], request_job=dbt_job,
                       name="tiktok_dbt_after_daily", description="Builds the dbt marts after both daily runs succeed.")
    def tiktok_dbt_after_daily(context: RunStatusSensorContext):
        day = context.dagster_run.tags.get(DAILY_TAG)
        if not day:
            return SkipReason("run was not started by the daily schedule")
        runs = context.instance.get_runs(filters=RunsFilter(tags={DAILY_TAG: day}, statuses=[DagsterRunStatus.SUCCESS]))
        kinds = {r.tags.get(KIND_TAG) for r in runs}
        if not {"snapshot", "event"} <= kinds:
            return SkipReason(f"waiting for the other daily run of {day} (have: {sorted(k for k in kinds if k)})")
        return RunRequest(run_key=f"dbt-{day}", tags={DAILY_TAG: day})

    return tiktok_dbt_after_daily
