"""Budget arithmetic without a lake: the estimate's per-entity model, the budget windows and status,
the history band, and the retry waits the client computes from a 429."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tiktok_assets.budget.checks import credit_band
from tiktok_assets.budget.estimate import (
    DEFAULTS,
    EVENT_ASSETS,
    SNAPSHOT_ASSETS,
    entities_for,
    entity_name,
    estimate_credits,
    window_days,
)
from tiktok_assets.budget.settings import BudgetSettings, billing_period, day_window
from tiktok_assets.budget.usage import BudgetStatus
from tiktok_assets.scavio import retry
from tiktok_assets.tracking import Tracked

D = date(2026, 11, 20)
TRACKED = Tracked(accounts=("a", "b", "c"), hashtags=("h",), keywords=("k",))


@pytest.mark.parametrize(("tag", "days"), [
    (None, 1), ("", 1), ("2026-11-20", 1), ("2026-11-20..2026-11-22", 3), ("2026-11-01 .. 2026-11-30", 30),
    ("2026-11-22..2026-11-20", 1), ("garbage", 1), ("2026-11-20..later", 1),
])
def test_window_days_from_the_partition_tag(tag, days):
    assert window_days(tag) == days


def test_entity_names_and_which_entities_an_asset_covers():
    assert entity_name("account:chef_lina") == "chef_lina" and entity_name("keyword:a:b") == "a:b"
    assert entity_name("video:123") == "video:123" and entity_name("plain") == "plain" and entity_name(None) is None
    assert entities_for("posts", TRACKED) == ["a", "b", "c"]
    assert entities_for("hashtag_videos", TRACKED) == ["h"] and entities_for("search_users", TRACKED) == ["k"]
    assert entities_for("videos", TRACKED) == ["a", "b", "c", "h", "k"]  # by source: every tracked name
    assert EVENT_ASSETS | SNAPSHOT_ASSETS == set(DEFAULTS) and not EVENT_ASSETS & SNAPSHOT_ASSETS


def test_estimate_from_history_and_documented_defaults_over_three_days():
    history = {"posts": {"a": 2.0, "b": 4.0}, "profiles": {}, "followers": {"a": 7.0}}
    got = estimate_credits(None, ["tiktok/posts", "profiles", "followers", "search_videos", "videos", "comments",
                                  "hashtag_videos"], [D, D + timedelta(days=2), D + timedelta(days=1)], TRACKED,
                           history=history)
    assert got == {
        "posts": (1 + 2 * 3) + (1 + 4 * 3) + (1 + 3 * 3),  # c has no history: the median of a and b (3/day)
        "profiles": 3 * 1,  # a snapshot costs one capture per entity, whatever the range
        "followers": 3 * 7,
        "search_videos": 1 + 1 * 3,  # default: one page per day + the boundary page
        "videos": 5 * (5 * 3),  # five sources at the default 5/day
        "comments": 3 * (3 * 3),
        "hashtag_videos": 10,  # the feed depth: the asset's default max_pages
    }


def test_estimate_rounds_up_per_entity_but_not_float_noise():
    third = {"posts": {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}}
    assert estimate_credits(None, ["posts"], [D, D + timedelta(days=2)], TRACKED, history=third) == {"posts": 3 * 2}
    small = {"comments": {"a": 0.34}}
    assert estimate_credits(None, ["comments"], [D], TRACKED, history=small) == {"comments": 3}
    assert estimate_credits(None, ["posts"], [D], Tracked(), history={}) == {"posts": 0}


def test_estimate_refuses_unknown_assets_and_no_dates():
    with pytest.raises(ValueError, match=r"cannot estimate unknown asset\(s\) \['credit_ledger'\]"):
        estimate_credits(None, ["credit_ledger"], [D], TRACKED, history={})
    with pytest.raises(ValueError, match="at least one date"):
        estimate_credits(None, ["posts"], [], TRACKED, history={})


@pytest.mark.parametrize(("now", "cycle_day", "start", "end"), [
    (datetime(2026, 11, 20, 12, tzinfo=UTC), 1, date(2026, 11, 1), date(2026, 12, 1)),
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), 1, date(2026, 12, 1), date(2027, 1, 1)),
    (datetime(2026, 11, 20, tzinfo=UTC), 15, date(2026, 11, 15), date(2026, 12, 15)),
    (datetime(2026, 11, 14, 23, tzinfo=UTC), 15, date(2026, 10, 15), date(2026, 11, 15)),
    (datetime(2026, 2, 15, tzinfo=UTC), 31, date(2026, 1, 31), date(2026, 2, 28)),
    (datetime(2026, 3, 1, tzinfo=UTC), 31, date(2026, 2, 28), date(2026, 3, 31)),
    (datetime(2028, 2, 29, tzinfo=UTC), 30, date(2028, 2, 29), date(2028, 3, 30)),
    (datetime(2026, 11, 20, 12), 1, date(2026, 11, 1), date(2026, 12, 1)),  # naive = UTC
])
def test_billing_period(now, cycle_day, start, end):
    got = billing_period(now, cycle_day)
    assert (got[0].date(), got[1].date()) == (start, end) and got[0].tzinfo is not None


def test_day_window_is_the_utc_day():
    start, end = day_window(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    assert (start.isoformat(), end.isoformat()) == ("2026-11-20T00:00:00+00:00", "2026-11-21T00:00:00+00:00")
    with pytest.raises(ValueError, match="1..31"):
        billing_period(datetime(2026, 1, 1, tzinfo=UTC), 0)


def test_budget_status_counts_today_and_the_billing_month_only():
    settings = BudgetSettings(daily=10, monthly=100, billing_cycle_day=15)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    totals = {"2026-11-20": 4, "2026-11-16": 30, "2026-11-14": 50, "2026-12-15": 7}
    status = BudgetStatus.compute(totals, settings, now)
    assert (status.used_today, status.used_month, status.left, status.level) == (4, 34, 6, "ok")
    assert status.describe() == ("used 4 of 10 daily, resets at 2026-11-21T00:00:00+00:00; "
                                 "used 34 of 100 monthly, resets at 2026-12-15T00:00:00+00:00")
    warn = BudgetStatus.compute({**totals, "2026-11-20": 8}, settings, now)
    assert (warn.level, warn.left, warn.resets_at()) == ("warning", 2, None)
    spent = BudgetStatus.compute({**totals, "2026-11-20": 10}, settings, now)
    assert (spent.level, spent.left, spent.exhausted) == ("exhausted", 0, True)
    assert spent.resets_at() == datetime(2026, 11, 21, tzinfo=UTC)
    meta = spent.as_metadata()
    assert (meta["daily_budget"], meta["monthly_budget"], meta["credits_left"], meta["used_billing_month"]) == (10, 100, 0, 40)


def test_budget_status_without_budgets_leaves_the_limits_out():
    status = BudgetStatus.compute({"2026-11-20": 3}, BudgetSettings(), datetime(2026, 11, 20, tzinfo=UTC))
    assert (status.left, status.level, status.exhausted, status.warning) == (None, "ok", False, False)
    assert status.describe() == "no credit budget configured; used 3 today, 3 this billing month"
    assert not {"daily_budget", "monthly_budget", "credits_left"} & set(status.as_metadata())


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"daily": -1}, "'daily' must be a non-negative integer"), ({"monthly": 1.5}, "'monthly' must be a non-negative"),
    ({"warn_ratio": 0}, "'warn_ratio' must be in (0, 1]"), ({"billing_cycle_day": 32}, "'billing_cycle_day' must be 1..31"),
])
def test_budget_settings_refuse_bad_values(kwargs, message):
    with pytest.raises(ValueError) as info:
        BudgetSettings(**kwargs)
    assert message in str(info.value)


def ledger_row(run, credits, entity, partition, at):
    return {"run_id": run, "asset": "posts", "credits_used": credits, "entity": entity, "partition": partition,
            "requested_at": at}


def test_credit_band_per_entity_day_against_the_median_of_earlier_runs():
    rows = [ledger_row("r1", 10, "a", "2026-11-01", 1), ledger_row("r2", 12, "account:a", "2026-11-02", 2),
            ledger_row("r2", 8, "b", "2026-11-02", 3), ledger_row("r3", 50, "a", "2026-11-03..2026-11-04", 4),
            {**ledger_row("rX", 999, "a", "2026-11-03", 5), "asset": "comments"}]
    band = credit_band(rows, "posts")
    assert (band.passed, band.run_id, band.value, band.median, band.previous_runs) == (True, "r3", 25.0, 10.0, 2)
    assert band.description == "25.0 credits per entity-day is within 10x the median 10.0 of 2 earlier runs"
    strict = credit_band(rows, "posts", factor=2)
    assert not strict.passed and "ABOVE 2x the median 10.0" in strict.description
    early = credit_band(rows, "posts", run_id="r2")
    assert (early.passed, early.value, early.previous_runs) == (True, 10.0, 1) and "no band yet" in early.description
    assert credit_band([], "posts").description == "no ledger rows for posts yet"


NOW = 1_795_132_800.0  # 2026-11-20T00:00:00Z


@pytest.mark.parametrize(("headers", "message", "wait"), [
    ({"retry-after": "7"}, None, retry.Wait(7.0, retry.RETRY_AFTER)),
    ({"Retry-After": "Fri, 20 Nov 2026 00:00:30 GMT", "X-RateLimit-Reset": "1"}, None, retry.Wait(30.0, retry.RETRY_AFTER)),
    ({"Retry-After": "soon", "X-RateLimit-Reset": str(NOW + 2.5)}, None, retry.Wait(2.52, retry.RATELIMIT_RESET)),
    ({"X-RateLimit-Reset": "0.5"}, None, retry.Wait(0.52, retry.RATELIMIT_RESET)),  # small: seconds from now
    ({"X-RateLimit-Reset": str(NOW - 10)}, None, retry.Wait(0.02, retry.RATELIMIT_RESET)),  # already past
    ({"X-RateLimit-Reset": "nan"}, "Rate limit exceeded. Retry after 12 seconds.", retry.Wait(12.0, retry.MESSAGE)),
    ({}, "retry in 1.5s", retry.Wait(1.5, retry.MESSAGE)),
    ({}, "slow down", retry.Wait(0.5 * 0.5 * 2**2, retry.BACKOFF)),
])
def test_wait_after_a_429_prefers_the_most_authoritative_signal(headers, message, wait):
    got = retry.wait_for_rate_limit(headers, message, attempt=2, now=NOW, rng=lambda: 0.5)
    assert got.reason == wait.reason and got.seconds == pytest.approx(wait.seconds)


def test_backoff_is_capped_full_jitter():
    assert [retry.backoff(a, rng=lambda: 0.999999) for a in range(6)] == pytest.approx([0.5, 1, 2, 4, 8, 8], rel=1e-5)
    assert retry.backoff(3, rng=lambda: 0.0) == 0.0 and retry.backoff(-4, rng=lambda: 1.0) == 0.5
    assert retry.wait_for_transient(1, rng=lambda: 0.5) == retry.Wait(0.5, retry.BACKOFF)
