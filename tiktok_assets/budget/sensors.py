"""Sensors that watch the credit ledger, warn, and stop new spending once a budget is used up.

How spending is gated, layer by layer (each catches what the previous one cannot):

1. **Per request** - :class:`~tiktok_assets.budget.reservations.SharedBudgetLimit` refuses the next
   request of any process (Dagster run or CLI) once the day or billing month is used up. This is the
   hard limit; everything below only avoids launching runs that would stop at once.
2. **Schedules** - call :func:`budget_gate` first and return its ``SkipReason``; the gate is
   re-evaluated every tick, so they resume by themselves once the window resets.
3. **This sensor** (:data:`credit_budget_sensor`, on by default) - each tick it sums the request
   ledger of the deployment's shared state (``TIKTOK_STATE_URL``: one aggregate query, current to the
   last request of every host; the cursor only remembers the last level), emits an ``AssetObservation`` on
   ``tiktok/credit_budget`` (level, used, left, reset times: visible in the asset's UI page), logs
   ``CREDIT_BUDGET_WARNING`` at the warn ratio and ``CREDIT_BUDGET_EXHAUSTED`` at 100%, and at 100%
   cancels *queued* runs that target TikTok API assets and asks *requested* backfills over those
   assets to cancel (Dagster has no pause for backfills; relaunch them after the reset - their
   already-written partitions are kept). Its skip reason states "used X of Y daily, resets at ...".

Why not tag concurrency limits: they cap parallel runs, not credits, and cannot change with spend.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dagster import (
    AssetKey,
    AssetObservation,
    BetaWarning,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    ObserveResult,
    SkipReason,
    observable_source_asset,
    sensor,
)

from ..lake.schemas import API_TABLES
from ..state.engine import get_engine
from ..state.ledger import LedgerStore
from .resource import BudgetResource
from .settings import BudgetSettings, billing_period, utc_now
from .usage import status_from_lake, status_from_state

# ``observable_source_asset`` is beta in dagster 1.13; it is the asset kind whose UI action is
# "Observe" (an AssetSpec would show a "Materialize" button that cannot work).
warnings.filterwarnings("ignore", message=r".*observable_source_asset.*", category=BetaWarning)

CURSOR_VERSION = 2
CREDIT_BUDGET_KEY = AssetKey(["tiktok", "credit_budget"])
WARNING_PREFIX = "CREDIT_BUDGET_WARNING"
EXHAUSTED_PREFIX = "CREDIT_BUDGET_EXHAUSTED"
LOW_BALANCE_PREFIX = "CREDIT_LOW_BALANCE"
BACKFILL_SCAN = 500  # newest backfills looked at per tick (older ones are long past REQUESTED)
SPENDING_KEYS = frozenset(AssetKey(["tiktok", t]) for t in API_TABLES)



@observable_source_asset(
    key=CREDIT_BUDGET_KEY,
    group_name="tiktok_budget",
    description="Credits spent today and in this billing month against the budget in force, with the reset "
    "times. Observed (never materialized: it holds no data of ours) every few minutes by `credit_budget_sensor` "
    "and `low_balance_sensor`, or now with the UI's **Observe** button; costs no credits.",
)
def credit_budget(budget: BudgetResource) -> ObserveResult:
    """The budget's state now, from the shared request ledger (every host's requests)."""
    return ObserveResult(metadata=status_from_state(shared_ledger(), budget.get_settings(), utc_now()).as_metadata())


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
    for backfill in instance.get_backfills(limit=BACKFILL_SCAN):
        status = backfill.status  # compared by value, and replaced through its own enum: no private import
        if status.value == "REQUESTED" and _spends_credits(backfill.asset_selection):
            instance.update_backfill(backfill.with_status(type(status)("CANCELING")))
            backfills.append(backfill.backfill_id)
    return runs, backfills


def _cursor(cursor: str | None) -> dict[str, Any]:
    try:
        doc = json.loads(cursor) if cursor else {}
    except ValueError:
        doc = {}
    return doc if isinstance(doc, dict) and doc.get("v") == CURSOR_VERSION else {}


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps({**doc, "v": CURSOR_VERSION}, sort_keys=True, separators=(",", ":"))


def evaluate_credit_budget(context: SensorEvaluationContext, ledger: LedgerStore, settings: BudgetSettings,
                           now: datetime | None = None, *, stop_pending: bool = True) -> SensorResult:
    """The sensor body, with ``now`` injectable (the sensor passes the wall clock).

    The cursor keeps the level and the totals of the previous tick, so an observation (and a log
    line) is emitted only when something changed.
    """
    now = now or utc_now()
    previous = _cursor(context.cursor)
    status = status_from_state(ledger, settings, now)
    seen = [status.used_today, status.used_month]
    changed = seen != previous.get("used") or status.level != previous.get("level")
    events = []
    if changed:
        events.append(AssetObservation(asset_key=CREDIT_BUDGET_KEY, metadata=status.as_metadata()))
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
    return SensorResult(skip_reason=skip, cursor=_dump({"level": status.level, "used": seen}), asset_events=events)


def evaluate_low_balance(context: SensorEvaluationContext, ledger: LedgerStore, settings: BudgetSettings,
                         now: datetime | None = None) -> SensorResult:
    """Alert when the account balance the API last reported is below ``settings.low_balance``."""
    now = now or utc_now()
    previous = _cursor(context.cursor)
    start, _ = billing_period(now, settings.billing_cycle_day)
    balance = ledger.latest_balance(start.timestamp())
    remaining, at = (balance[0], balance[1].isoformat()) if balance else (None, None)
    threshold = settings.low_balance
    low = remaining is not None and threshold is not None and remaining < threshold
    level = "low" if low else "ok"
    events = []
    if [remaining, at] != previous.get("balance") or level != previous.get("level"):
        numbers = {"credits_remaining": remaining, "low_balance_threshold": threshold}
        events.append(AssetObservation(asset_key=CREDIT_BUDGET_KEY, metadata={
            **{k: v for k, v in numbers.items() if v is not None},  # unknown is left out, never a fake -1
            "credits_remaining_at": at or "",
            "balance_level": level,
        }))
        if low:
            context.log.warning(f"{LOW_BALANCE_PREFIX}: {remaining} credits left on the account (reported at "
                                f"{at}), below the threshold of {threshold}")
    if remaining is None:
        skip = "No credits_remaining reported in the ledger of this billing period yet"
    elif low:
        skip = f"Low credit balance: {remaining} credits remaining (at {at}) < threshold {threshold}"
    else:
        skip = f"Credit balance ok: {remaining} credits remaining (at {at})"
    return SensorResult(skip_reason=skip, cursor=_dump({"level": level, "balance": [remaining, at]}), asset_events=events)


def shared_ledger() -> LedgerStore:
    """The request ledger of the deployment's shared state (``TIKTOK_STATE_URL`` / ``TIKTOK_STATE_DIR``)."""
    return LedgerStore(get_engine())


@sensor(name="credit_budget_sensor", minimum_interval_seconds=300, default_status=DefaultSensorStatus.RUNNING,
        description="Sums credits in the shared request ledger; warns at the warn ratio; at 100% cancels queued API runs.")
def credit_budget_sensor(context: SensorEvaluationContext, budget: BudgetResource) -> SensorResult:
    return evaluate_credit_budget(context, shared_ledger(), budget.get_settings())


@sensor(name="low_balance_sensor", minimum_interval_seconds=900, default_status=DefaultSensorStatus.RUNNING,
        description="Alerts when the API's credits_remaining falls below TIKTOK_CREDIT_LOW_BALANCE.")
def low_balance_sensor(context: SensorEvaluationContext, budget: BudgetResource) -> SensorResult:
    return evaluate_low_balance(context, shared_ledger(), budget.get_settings())
