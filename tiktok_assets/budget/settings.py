"""Credit budget settings and the billing windows they apply to.

Why two windows: Scavio sells monthly plans whose unused credits do not roll over, so the budget
month follows the *billing cycle* (it starts on ``billing_cycle_day``, not on the 1st), and a daily
budget keeps one bad day from eating the month. Days are UTC days everywhere (the ledger's
``partition_date`` is the UTC day of ``requested_at``), so every process agrees on when a day resets.

Nothing reads the environment at import time: :meth:`BudgetSettings.from_env` reads it when called,
and :class:`~tiktok_assets.budget.resource.BudgetResource` (the Dagster face of the same settings)
falls back to it for every field left unset. This module does not import Dagster, so the client-side
budget (reservations) stays cheap to import in the CLI and in worker processes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from .. import settings as project_settings

DEFAULT_WARN_RATIO = 0.8
DEFAULT_BILLING_CYCLE_DAY = 1


@dataclass(frozen=True)
class BudgetSettings:
    """Limits in credits (1 request = 1 credit). ``None`` means "no limit of that kind"."""

    daily: int | None = None
    monthly: int | None = None
    cap_per_run: int | None = None
    warn_ratio: float = DEFAULT_WARN_RATIO
    low_balance: int | None = None
    billing_cycle_day: int = DEFAULT_BILLING_CYCLE_DAY

    def __post_init__(self) -> None:
        for name in ("daily", "monthly", "cap_per_run", "low_balance"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"credit budget setting {name!r} must be a non-negative integer, got {value!r}")
        if not 0 < self.warn_ratio <= 1:
            raise ValueError(f"credit budget setting 'warn_ratio' must be in (0, 1], got {self.warn_ratio!r}")
        if not 1 <= self.billing_cycle_day <= 31:
            raise ValueError(f"credit budget setting 'billing_cycle_day' must be 1..31, got {self.billing_cycle_day!r}")

    @classmethod
    def from_env(cls) -> BudgetSettings:
        """Read the TIKTOK_CREDIT_* variables now; a malformed value names its variable."""
        return cls(
            daily=_int_env(project_settings.TIKTOK_CREDIT_BUDGET_DAILY),
            monthly=_int_env(project_settings.TIKTOK_CREDIT_BUDGET_MONTHLY),
            cap_per_run=_int_env(project_settings.TIKTOK_CREDIT_CAP_PER_RUN),
            warn_ratio=_float_env(project_settings.TIKTOK_CREDIT_WARN_RATIO, DEFAULT_WARN_RATIO),
            low_balance=_int_env(project_settings.TIKTOK_CREDIT_LOW_BALANCE),
            billing_cycle_day=_int_env(project_settings.TIKTOK_BILLING_CYCLE_DAY) or DEFAULT_BILLING_CYCLE_DAY,
        )

    def with_overrides(self, **values: int | float | None) -> BudgetSettings:
        """Return a copy where every non-``None`` value replaces the current one."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _int_env(name: str) -> int | None:
    raw = project_settings.env(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be an integer number of credits, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"environment variable {name} must not be negative, got {raw!r}")
    return value


def _float_env(name: str, default: float) -> float:
    raw = project_settings.env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be a number such as 0.8, got {raw!r}") from None


# --- windows ----------------------------------------------------------------------------------------

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(now: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the ledger's clock), aware ones are converted."""
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def day_window(now: datetime) -> tuple[datetime, datetime]:
    """The UTC day containing ``now`` as ``[start, end)``."""
    start = datetime.combine(as_utc(now).date(), time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def _cycle_start_in(year: int, month: int, cycle_day: int) -> date:
    """The cycle start inside one month: a cycle day past the month's end falls on its last day."""
    return date(year, month, min(cycle_day, calendar.monthrange(year, month)[1]))


def billing_period(now: datetime, cycle_day: int = DEFAULT_BILLING_CYCLE_DAY) -> tuple[datetime, datetime]:
    """The billing month containing ``now`` as ``[start, end)`` in UTC.

    A cycle day of 31 starts February's period on the 28th (29th in leap years) and March's on the
    31st, the way card billing anchors behave; unused credits don't roll over, so each period's
    budget starts from zero.
    """
    if not 1 <= cycle_day <= 31:
        raise ValueError(f"billing cycle day must be 1..31, got {cycle_day!r}")
    today = as_utc(now).date()
    start = _cycle_start_in(today.year, today.month, cycle_day)
    if today < start:
        prev_year, prev_month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
        start = _cycle_start_in(prev_year, prev_month, cycle_day)
    next_year, next_month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    end = _cycle_start_in(next_year, next_month, cycle_day)
    as_dt = lambda d: datetime.combine(d, time(0), tzinfo=timezone.utc)  # noqa: E731
    return as_dt(start), as_dt(end)
