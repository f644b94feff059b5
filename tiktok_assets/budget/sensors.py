"""Sensors that watch the credit ledger, warn, and stop new spending once a budget is used up.

How spending is gated, layer by layer (each catches what the previous one cannot):

1. **Per request** - :class:`~tiktok_assets.budget.reservations.SharedBudgetLimit` refuses the next
   request of any process (Dagster run or CLI) once the day or billing month is used up. This is the
   hard limit; everything below only avoids launching runs that would stop at once.
2. **Schedules** - call :func:`budget_gate` first and return its ``SkipReason``; the gate is
   re-evaluated every tick, so they resume by themselves once the window resets.
3. **This sensor** (:data:`credit_budget_sensor`, on by default) - each tick it counts new ledger
   files (cursor, see :mod:`tiktok_assets.budget.tally`), emits an ``AssetObservation`` on
   ``tiktok/credit_budget`` (level, used, left, reset times: visible in the asset's UI page), logs
   ``CREDIT_BUDGET_WARNING`` at the warn ratio and ``CREDIT_BUDGET_EXHAUSTED`` at 100%, and at 100%
   cancels *queued* runs that target TikTok API assets and asks *requested* backfills over those
   assets to cancel (Dagster has no pause for backfills; relaunch them after the reset - their
   already-written partitions are kept). Its skip reason states "used X of Y daily, resets at ...".

Why not tag concurrency limits: they cap parallel runs, not credits, and cannot change with spend.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dagster import (
    AssetKey,
    AssetObservation,
    AssetSpec,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster._core.execution.backfill import BulkActionsFilter, BulkActionStatus

from ..lake.schemas import API_TABLES
from ..lake.store import LakeResource
from .resource import BudgetResource
from .settings import BudgetSettings, utc_now
from .tally import LedgerTally
from .usage import status_from_lake

CREDIT_BUDGET_KEY = AssetKey(["tiktok", "credit_budget"])
WARNING_PREFIX = "CREDIT_BUDGET_WARNING"
EXHAUSTED_PREFIX = "CREDIT_BUDGET_EXHAUSTED"
LOW_BALANCE_PREFIX = "CREDIT_LOW_BALANCE"
SPENDING_KEYS = frozenset(AssetKey(["tiktok", t]) for t in API_TABLES)

credit_budget_spec = AssetSpec(
    CREDIT_BUDGET_KEY,
    description="Credits spent today and this billing month against the budget; observed by "
    "credit_budget_sensor and low_balance_sensor from the credit_ledger table (no materialization).",
    group_name="tiktok_budget",
)


def budget_gate(lake: Any, settings: BudgetSettings, now: datetime | None = None) -> SkipReason | None:
    """``SkipReason`` when the daily or monthly budget is used up, else ``None``; for schedules."""
    status = status_from_lake(lake, settings, now or utc_now())
    if status.exhausted:
        return SkipReason(f"Credit budget exhausted: {status.describe()}")
    return None


def _spends_credits(keys: Iterable[AssetKey] | None) -> bool:
    return bool(keys) and any(k in SPENDING_KEYS for k in keys)


def stop_pending_spending(instance: Any, reason: str) -> tuple[list[str], list[str]]:
    """Cancel queued API-asset runs and request cancellation of requested API-asset backfills.

    Returns ``(canceled run ids, canceling backfill ids)``. Running runs are left alone: the
    per-request budget limit stops them after their current request.
    """
    runs = []
    for run in instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.QUEUED])):
        if _spends_credits(run.asset_selection):
            instance.report_run_canceling(run, message=reason)
            instance.report_run_canceled(run, message=reason)
            runs.append(run.run_id)
    backfills = []
    for backfill in instance.get_backfills(filters=BulkActionsFilter(statuses=[BulkActionStatus.REQUESTED])):
        if _spends_credits(backfill.asset_selection):
            instance.update_backfill(backfill.with_status(BulkActionStatus.CANCELING))
            backfills.append(backfill.backfill_id)
    return runs, backfills


def evaluate_credit_budget(context: SensorEvaluationContext, lake: Any, settings: BudgetSettings,
                           now: datetime | None = None, *, stop_pending: bool = True) -> SensorResult:
    """The sensor body, with ``now`` injectable (the sensor passes the wall clock)."""
    now = now or utc_now()
    tally = LedgerTally.from_cursor(context.cursor)
    new_files = tally.update(lake, now, settings.billing_cycle_day)
    status = tally.status(settings, now)
    changed = bool(new_files) or status.level != tally.last_level
    events = []
    if changed:
        meta = {**status.as_metadata(), "new_ledger_files": new_files}
        events.append(AssetObservation(asset_key=CREDIT_BUDGET_KEY, metadata=meta))
    skip = f"Credit budget {status.level}: {status.describe()}"
    if status.exhausted:
        skip = f"Credit budget exhausted: {status.describe()}"
        if changed:
            context.log.warning(f"{EXHAUSTED_PREFIX}: {status.describe()}")
        if stop_pending:
            runs, backfills = stop_pending_spending(context.instance, skip)
            if runs or backfills:
                context.log.warning(f"{EXHAUSTED_PREFIX}: canceled queued runs {runs}, canceling backfills {backfills}")
                skip += f"; canceled {len(runs)} queued run(s) and {len(backfills)} backfill(s)"
    elif status.warning and changed:
        context.log.warning(f"{WARNING_PREFIX}: {status.describe()} (warn ratio {settings.warn_ratio:.0%})")
    tally.last_level = status.level
    return SensorResult(skip_reason=skip, cursor=tally.to_cursor(), asset_events=events)


def evaluate_low_balance(context: SensorEvaluationContext, lake: Any, settings: BudgetSettings,
                         now: datetime | None = None) -> SensorResult:
    """Alert when the account balance the API last reported is below ``settings.low_balance``."""
    now = now or utc_now()
    tally = LedgerTally.from_cursor(context.cursor)
    new_files = tally.update(lake, now, settings.billing_cycle_day)
    remaining, threshold = tally.latest_remaining, settings.low_balance
    low = remaining is not None and threshold is not None and remaining < threshold
    level = "low" if low else "ok"
    events = []
    if new_files or level != tally.last_level:
        events.append(AssetObservation(asset_key=CREDIT_BUDGET_KEY, metadata={
            "credits_remaining": -1 if remaining is None else remaining,
            "credits_remaining_at": tally.latest_at or "",
            "low_balance_threshold": -1 if threshold is None else threshold,
            "balance_level": level,
        }))
        if low:
            context.log.warning(f"{LOW_BALANCE_PREFIX}: {remaining} credits left on the account (reported at "
                                f"{tally.latest_at}), below the threshold of {threshold}")
    tally.last_level = level
    if remaining is None:
        skip = "No credits_remaining reported in the ledger of this billing period yet"
    elif low:
        skip = f"Low credit balance: {remaining} credits remaining (at {tally.latest_at}) < threshold {threshold}"
    else:
        skip = f"Credit balance ok: {remaining} credits remaining (at {tally.latest_at})"
    return SensorResult(skip_reason=skip, cursor=tally.to_cursor(), asset_events=events)


@sensor(name="credit_budget_sensor", minimum_interval_seconds=300, default_status=DefaultSensorStatus.RUNNING,
        description="Counts credits in the ledger; warns at the warn ratio; at 100% cancels queued API runs.")
def credit_budget_sensor(context: SensorEvaluationContext, lake: LakeResource, budget: BudgetResource) -> SensorResult:
    return evaluate_credit_budget(context, lake.get_lake(), budget.get_settings())


@sensor(name="low_balance_sensor", minimum_interval_seconds=900, default_status=DefaultSensorStatus.RUNNING,
        description="Alerts when the API's credits_remaining falls below TIKTOK_CREDIT_LOW_BALANCE.")
def low_balance_sensor(context: SensorEvaluationContext, lake: LakeResource, budget: BudgetResource) -> SensorResult:
    return evaluate_low_balance(context, lake.get_lake(), budget.get_settings())
