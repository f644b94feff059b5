"""What the credit ledger says was spent: per run and day, per window, and the last known balance.

Why one module: the budget reservations (baseline at run start), the sensors, the estimate (page
history) and the asset checks all read the ledger — the sensors from the shared state (current to
the last request, one aggregate query), the others from the lake's ``credit_ledger`` table — and
must agree on what counts as spent: ``credits_used`` of every row, on the UTC day of ``requested_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.compute as pc

from .settings import BudgetSettings, billing_period, day_window

LEDGER = "credit_ledger"


def period_days(now: datetime, cycle_day: int) -> list[date]:
    """Every UTC day of the billing period containing ``now``, up to and including today."""
    start, _ = billing_period(now, cycle_day)
    today = day_window(now)[0].date()
    return [start.date() + timedelta(days=i) for i in range((today - start.date()).days + 1)]


def read_ledger(lake, dates: Iterable[date] | None = None, keys: Iterable[str] | None = None,
                columns: list[str] | None = None) -> pa.Table:
    """Ledger rows of the given ``date=`` folders (and flush keys); empty table when there are none."""
    return lake.read(LEDGER, dates=None if dates is None else list(dates),
                     keys=None if keys is None else list(keys), columns=columns)


def spend_by_run_day(table: pa.Table) -> dict[tuple[str, str], int]:
    """``(run_id, YYYY-MM-DD) -> credits`` over ledger rows."""
    if table.num_rows == 0:
        return {}
    grouped = table.group_by(["run_id", "partition_date"]).aggregate([("credits_used", "sum")])
    return {
        (run_id, day.isoformat()): int(total)
        for run_id, day, total in zip(grouped["run_id"].to_pylist(), grouped["partition_date"].to_pylist(),
                                      grouped["credits_used_sum"].to_pylist())
    }


def ledger_baseline(lake, now: datetime, cycle_day: int) -> dict[tuple[str, str], int]:
    """Spend per ``(run_id, day)`` of the current billing period: a run's starting point for
    :class:`~tiktok_assets.budget.reservations.SharedBudgetLimit`."""
    table = read_ledger(lake, period_days(now, cycle_day), columns=["run_id", "partition_date", "credits_used"])
    return spend_by_run_day(table)


def latest_balance(table: pa.Table) -> tuple[int, datetime] | None:
    """The most recent ``credits_remaining`` the API reported, with its time, or ``None``."""
    if table.num_rows == 0:
        return None
    known = table.filter(pc.is_valid(table["credits_remaining"]))
    if known.num_rows == 0:
        return None
    idx = pc.index(known["requested_at"], pc.max(known["requested_at"])).as_py()
    # Several requests in the same second: the smallest balance is the latest one.
    same = known.filter(pc.equal(known["requested_at"], known["requested_at"][idx]))
    at = same["requested_at"][0].as_py()
    return int(pc.min(same["credits_remaining"]).as_py()), at


@dataclass(frozen=True)
class BudgetStatus:
    """Where spending stands against the budget at ``now``; the single input of every gate."""

    now: datetime
    used_today: int
    used_month: int
    daily: int | None
    monthly: int | None
    warn_ratio: float
    day_resets_at: datetime
    month_resets_at: datetime

    @classmethod
    def compute(cls, daily_totals: dict[str, int], settings: BudgetSettings, now: datetime) -> BudgetStatus:
        """``daily_totals``: ``YYYY-MM-DD -> credits`` (days outside the current period are ignored)."""
        day_start, day_end = day_window(now)
        start, end = billing_period(now, settings.billing_cycle_day)
        in_period = [v for d, v in daily_totals.items() if start.date().isoformat() <= d < end.date().isoformat()]
        return cls(now=now, used_today=int(daily_totals.get(day_start.date().isoformat(), 0)),
                   used_month=int(sum(in_period)), daily=settings.daily, monthly=settings.monthly,
                   warn_ratio=settings.warn_ratio, day_resets_at=day_end, month_resets_at=end)

    def _ratios(self) -> list[tuple[str, int, int, datetime]]:
        out = []
        if self.daily is not None:
            out.append(("daily", self.used_today, self.daily, self.day_resets_at))
        if self.monthly is not None:
            out.append(("monthly", self.used_month, self.monthly, self.month_resets_at))
        return out

    @property
    def exhausted(self) -> bool:
        return any(used >= limit for _, used, limit, _ in self._ratios())

    @property
    def warning(self) -> bool:
        return any(used >= self.warn_ratio * limit for _, used, limit, _ in self._ratios())

    @property
    def left(self) -> int | None:
        """Credits that may still be spent now (the tighter window), ``None`` if there is no budget."""
        lefts = [max(limit - used, 0) for _, used, limit, _ in self._ratios()]
        return min(lefts) if lefts else None

    @property
    def level(self) -> str:
        return "exhausted" if self.exhausted else "warning" if self.warning else "ok"

    def describe(self) -> str:
        """``used X of Y daily (resets at ...); used ...`` for every configured window."""
        if not self._ratios():
            return f"no credit budget configured; used {self.used_today} today, {self.used_month} this billing month"
        return "; ".join(
            f"used {used} of {limit} {kind}, resets at {resets.isoformat()}"
            for kind, used, limit, resets in self._ratios()
        )

    def resets_at(self) -> datetime | None:
        """When spending may resume: the latest reset among the exhausted windows."""
        times = [resets for _, used, limit, resets in self._ratios() if used >= limit]
        return max(times) if times else None

    def as_metadata(self) -> dict[str, object]:
        """Observation metadata. A budget that is not set is left out, never shown as a fake number
        (a -1 would be plotted and read as a budget); each key that is present is always numeric."""
        limits = {"daily_budget": self.daily, "monthly_budget": self.monthly, "credits_left": self.left}
        return {
            "level": self.level,
            "used_today": self.used_today,
            "used_billing_month": self.used_month,
            **{k: v for k, v in limits.items() if v is not None},
            "day_resets_at": self.day_resets_at.isoformat(),
            "month_resets_at": self.month_resets_at.isoformat(),
            "evaluated_at": self.now.astimezone(timezone.utc).isoformat(),
        }


def status_from_lake(lake, settings: BudgetSettings, now: datetime) -> BudgetStatus:
    """A full (non-incremental) read of the period's ledger: for the CLI, schedules and checks."""
    table = read_ledger(lake, period_days(now, settings.billing_cycle_day), columns=["partition_date", "credits_used"])
    totals: dict[str, int] = {}
    if table.num_rows:
        grouped = table.group_by("partition_date").aggregate([("credits_used", "sum")])
        totals = {d.isoformat(): int(v) for d, v in zip(grouped["partition_date"].to_pylist(),
                                                         grouped["credits_used_sum"].to_pylist())}
    return BudgetStatus.compute(totals, settings, now)


def status_from_state(store: Any, settings: BudgetSettings, now: datetime) -> BudgetStatus:
    """The same status from the shared state's per-request ledger (:class:`~tiktok_assets.state.ledger.LedgerStore`)."""
    start, _ = billing_period(now, settings.billing_cycle_day)
    _, day_end = day_window(now)
    return BudgetStatus.compute(store.totals_by_day(start.timestamp(), day_end.timestamp()), settings, now)
