"""The daily schedule, its jobs, and the sensor that runs dbt once a day's data is complete.

Why two runs per day from ONE schedule: at 00:15 UTC the event assets (posts, comments, ...) take
*yesterday*'s partition, which is now complete (a post made at 23:59 is in it), while the snapshot
assets (profiles, followers, ...) have no partitions and capture the current state. So the schedule
emits two ``RunRequest`` s on the same job: one with ``partition_key`` for the events, one without
for the snapshots, with a shared ``tiktok/daily`` tag.
Why dbt by declarative automation rather than inside one of the runs: the marts join both runs'
tables, and the runs may execute concurrently. The dbt models carry an automation condition
(``dbt/translator.py``): they build once their lake tables were updated and no dependency is still in
progress, whether the update came from this schedule, a backfill or a click in the UI.
"""

from __future__ import annotations

from datetime import timedelta

from dagster import (
    AssetsDefinition,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from .assets import EVENT_NAMES, SNAPSHOT_NAMES, asset_key
from .budget.resource import BudgetResource
from .budget.sensors import budget_gate
from .lake.store import LakeResource

DAILY_TAG = "tiktok/daily"
KIND_TAG = "tiktok/kind"

tiktok_daily_job = define_asset_job(
    "tiktok_daily_job",
    selection=AssetSelection.groups("tiktok"),
    description="All TikTok assets; the daily schedule runs it twice (snapshots today, events yesterday).",
)


# Starts STOPPED on purpose: every run spends credits (money), so capturing on a schedule is the
# user's decision (switch it on in the UI, or `dagster schedule start`); the README says so.
@schedule(job=tiktok_daily_job, cron_schedule="15 0 * * *", execution_timezone="UTC", name="tiktok_daily_schedule",
          default_status=DefaultScheduleStatus.STOPPED,
          description="00:15 UTC: today's snapshots and yesterday's (complete) events; dbt follows by its "
                      "automation condition. Starts stopped: it spends credits.")
def tiktok_daily_schedule(context: ScheduleEvaluationContext, lake: LakeResource, budget: BudgetResource):
    skip = budget_gate(lake.get_lake(), budget.get_settings())
    if skip is not None:  # the credit budget is spent: no run is launched; resumes when the window resets
        yield skip
        return
    today = context.scheduled_execution_time.date()
    yesterday = today - timedelta(days=1)
    yield RunRequest(
        run_key=f"snapshots-{today}",
        asset_selection=[asset_key(n) for n in SNAPSHOT_NAMES],
        tags={DAILY_TAG: today.isoformat(), KIND_TAG: "snapshot"},
    )
    yield RunRequest(
        run_key=f"events-{yesterday}",
        partition_key=yesterday.isoformat(),
        asset_selection=[asset_key(n) for n in EVENT_NAMES],
        tags={DAILY_TAG: today.isoformat(), KIND_TAG: "event"},
    )


def build_dbt_automation_sensor(dbt_assets: AssetsDefinition) -> AutomationConditionSensorDefinition:
    """The sensor that evaluates the dbt models' automation condition (``dbt/translator.py``).

    Starts RUNNING: building the marts costs no credits, and a user who captured data expects the
    marts to follow. Defined explicitly (rather than Dagster's implicit default sensor) so its name,
    target and default status are visible and documented.
    """
    return AutomationConditionSensorDefinition(
        "tiktok_dbt_automation",
        target=AssetSelection.assets(dbt_assets),
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description="Builds the dbt models after the lake tables they read are updated (schedule, backfill or UI).",
    )
