"""SharedBudgetLimit on its own: reservations, settlement, refunds, windows, and the ledger baseline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.budget.budget_helpers import NOW, entries
from tiktok_assets.budget.ledger_sink import flush_ledger
from tiktok_assets.budget.reservations import SharedBudgetLimit, key_fingerprint
from tiktok_assets.budget.settings import BudgetSettings
from tiktok_assets.budget.usage import ledger_baseline
from tiktok_assets.scavio.errors import BudgetExceededError


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def limit(settings, run_id="run-a", clock=None, baseline=None, key="k1"):
    return SharedBudgetLimit(settings, key_fp=key_fingerprint(key), run_id=run_id, baseline=baseline,
                             clock=clock or Clock(NOW))


def test_reserve_until_daily_budget_then_refuse_with_reset_time(isolated_state):
    a = limit(BudgetSettings(daily=3))
    for _ in range(3):
        a.reserve(1)
        a.settle(1, 1)
    with pytest.raises(BudgetExceededError) as err:
        a.reserve(1)
    assert err.value.limit_name == "daily budget" and (err.value.spent, err.value.limit) == (3, 3)
    assert str(err.value) == ("daily credit budget exhausted: 3 of 3 credits used (today, UTC); "
                              "no request sent; resets at 2026-11-21T00:00:00+00:00")
    assert (isolated_state / "state.sqlite").exists()  # the default shared state: SQLite under TIKTOK_STATE_DIR


def test_refund_releases_the_credit_for_others(isolated_state):
    a, b = limit(BudgetSettings(daily=2)), limit(BudgetSettings(daily=2), run_id="run-b")
    a.reserve(1)
    b.reserve(1)
    with pytest.raises(BudgetExceededError):
        b.reserve(1)  # both open reservations count
    a.settle(1, 0)  # a 429: no credit spent
    b.reserve(1)
    assert b.usage() == (2, 2)


def test_runs_share_the_budget_per_key_only(isolated_state):
    a = limit(BudgetSettings(daily=1), key="key-one")
    other_key = limit(BudgetSettings(daily=1), run_id="run-b", key="key-two")
    a.reserve(1)
    other_key.reserve(1)  # a different API key has its own budget
    with pytest.raises(BudgetExceededError):
        limit(BudgetSettings(daily=1), run_id="run-c", key="key-one").reserve(1)


def test_day_and_month_windows_reset(isolated_state):
    clock = Clock(NOW)
    a = limit(BudgetSettings(daily=2, monthly=3), clock=clock)
    a.reserve(2)
    with pytest.raises(BudgetExceededError, match="daily"):
        a.reserve(1)
    clock.now = NOW + timedelta(days=1)
    a.reserve(1)
    with pytest.raises(BudgetExceededError, match="monthly credit budget exhausted: 3 of 3") as err:
        a.reserve(1)
    assert "resets at 2026-12-01T00:00:00+00:00" in str(err.value)
    clock.now = NOW.replace(day=1, month=12)
    a.reserve(2)  # unused credits don't roll over, and the new period starts from zero


def test_ledger_baseline_counts_finished_runs_once(lake, isolated_state):
    flush_ledger(lake, entries(4), "old-run")  # finished earlier today, ledger flushed
    baseline = ledger_baseline(lake, NOW, 1)
    assert baseline == {("old-run", "2026-11-20"): 4}
    a = limit(BudgetSettings(daily=6), baseline=baseline)
    a.reserve(2)
    with pytest.raises(BudgetExceededError, match="6 of 6"):
        a.reserve(1)
    # the same run both in the ledger and live in SQLite is counted once (max, not sum)
    live = limit(BudgetSettings(daily=10), run_id="old-run", baseline=baseline)
    live.reserve(4)
    assert live.usage() == (6, 6)


def test_no_budget_means_no_limit_and_no_database_writes(isolated_state):
    a = limit(BudgetSettings())
    for _ in range(100):
        a.reserve(1)
    assert a.usage() == (0, 0)


def test_budget_table_stays_bounded_as_days_pass(isolated_state):
    """Reservations on 200 successive days keep at most KEEP_DAYS (+ today) days of rows, per key and run."""
    from sqlalchemy import func, select

    from tiktok_assets.budget.reservations import KEEP_DAYS
    from tiktok_assets.state.tables import budget_spend

    clock = Clock(NOW)
    runs = [limit(BudgetSettings(daily=10), run_id=f"run-{i}", clock=clock) for i in range(2)]

    def count() -> int:
        with runs[0].store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(budget_spend)).scalar_one()

    for day in range(200):
        clock.now = NOW + timedelta(days=day)
        for run in runs:
            run.reserve(1)
            run.settle(1, 1)
        assert count() <= 2 * (KEEP_DAYS + 1)
    assert count() == 2 * (KEEP_DAYS + 1)  # rows of the last KEEP_DAYS days and today, older ones pruned
    assert runs[0].usage() == (2, 14)  # both runs: today, and June 1..7 (Nov 20 + 199 days = Jun 7) untouched
