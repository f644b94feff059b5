"""Budget settings from the environment, and the billing windows (short months, cycle day)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tiktok_assets.budget.resource import BudgetResource
from tiktok_assets.budget.settings import BudgetSettings, billing_period, day_window


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(("now", "cycle_day", "start", "end"), [
    (utc(2026, 11, 20, 12), 1, utc(2026, 11, 1), utc(2026, 12, 1)),
    (utc(2026, 11, 14, 23), 15, utc(2026, 10, 15), utc(2026, 11, 15)),
    (utc(2026, 11, 15, 0), 15, utc(2026, 11, 15), utc(2026, 12, 15)),
    (utc(2026, 12, 31, 1), 31, utc(2026, 12, 31), utc(2027, 1, 31)),
    (utc(2027, 1, 5), 31, utc(2026, 12, 31), utc(2027, 1, 31)),
    (utc(2027, 2, 10), 31, utc(2027, 1, 31), utc(2027, 2, 28)),  # short month: Feb period starts on the 28th
    (utc(2027, 3, 1), 31, utc(2027, 2, 28), utc(2027, 3, 31)),
    (utc(2028, 2, 29, 5), 30, utc(2028, 2, 29), utc(2028, 3, 30)),  # leap year
])
def test_billing_period_follows_the_cycle_day(now, cycle_day, start, end):
    assert billing_period(now, cycle_day) == (start, end)


def test_day_window_is_the_utc_day_even_for_other_timezones():
    from datetime import timedelta
    tokyo = timezone(timedelta(hours=9))
    assert day_window(datetime(2026, 11, 21, 5, tzinfo=tokyo)) == (utc(2026, 11, 20), utc(2026, 11, 21))


def test_settings_read_from_env_when_called(monkeypatch):
    assert BudgetSettings.from_env() == BudgetSettings()
    monkeypatch.setenv("TIKTOK_CREDIT_BUDGET_DAILY", "50")
    monkeypatch.setenv("TIKTOK_CREDIT_BUDGET_MONTHLY", "1000")
    monkeypatch.setenv("TIKTOK_CREDIT_CAP_PER_RUN", "20")
    monkeypatch.setenv("TIKTOK_CREDIT_WARN_RATIO", "0.5")
    monkeypatch.setenv("TIKTOK_CREDIT_LOW_BALANCE", "100")
    monkeypatch.setenv("TIKTOK_BILLING_CYCLE_DAY", "15")
    assert BudgetSettings.from_env() == BudgetSettings(50, 1000, 20, 0.5, 100, 15)
    # config set on the resource wins; unset fields fall back to the environment
    assert BudgetResource(daily_budget=7).get_settings() == BudgetSettings(7, 1000, 20, 0.5, 100, 15)


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("TIKTOK_CREDIT_BUDGET_DAILY", "fifty", "TIKTOK_CREDIT_BUDGET_DAILY must be an integer"),
    ("TIKTOK_CREDIT_BUDGET_MONTHLY", "-3", "TIKTOK_CREDIT_BUDGET_MONTHLY must not be negative"),
    ("TIKTOK_CREDIT_WARN_RATIO", "80%", "TIKTOK_CREDIT_WARN_RATIO must be a number"),
    ("TIKTOK_BILLING_CYCLE_DAY", "32", "billing_cycle_day"),
])
def test_bad_env_values_name_the_variable(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=fragment):
        BudgetSettings.from_env()
