"""The budget against the simulator over real HTTP: caps, shared budgets across processes, ledger
fidelity, estimate vs actual, low balance and an exhausted account."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from dagster import DagsterInstance, build_sensor_context

from tests.budget.spend_worker import spend_together
from tiktok_assets.assets.windows import Window, page_is_older_than
from tiktok_assets.budget.estimate import estimate_credits
from tiktok_assets.budget.ledger_sink import flush_ledger, ledger_flushing
from tiktok_assets.budget.reservations import SharedBudgetLimit, key_fingerprint
from tiktok_assets.budget.sensors import evaluate_low_balance, shared_ledger
from tiktok_assets.budget.settings import BudgetSettings
from tiktok_assets.budget.usage import read_ledger
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.scavio.client import ScavioClient
from tiktok_assets.scavio.errors import BudgetExceededError, InsufficientCreditsError
from tiktok_assets.tracking import Tracked

ACCOUNTS = ("chef_lina", "urban_runner", "pixel_pets")


def make_client(sim, api_key, state, run_id="run-1", **kw) -> ScavioClient:
    return ScavioClient(api_key, base_url=sim.url, rate_limit=100000, rate_window_seconds=1, state_dir=state,
                        run_id=run_id, **kw)


def shared(api_key, state, run_id="run-1", **settings) -> SharedBudgetLimit:
    return SharedBudgetLimit(BudgetSettings(**settings), key_fp=key_fingerprint(api_key), run_id=run_id,
                             state_dir=state)


def test_shared_daily_budget_stops_the_run_at_exactly_the_budget(simulator, api_key, isolated_state):
    client = make_client(simulator, api_key, isolated_state, extra_limits=[shared(api_key, isolated_state, daily=7)])
    with pytest.raises(BudgetExceededError, match="daily credit budget exhausted: 7 of 7") as err:
        for page in client.user_posts(client.profile(username="chef_lina")["sec_uid"], count=1):
            assert page.items
    assert simulator.stats()["charged"] == 7 == client.credits_spent
    assert len(client.ledger) == 7
    assert api_key not in str(err.value) and api_key not in repr(client.guard.limits)
    # another run (same key, same day) is refused before sending anything
    second = make_client(simulator, api_key, isolated_state, run_id="run-2",
                         extra_limits=[shared(api_key, isolated_state, "run-2", daily=7)])
    with pytest.raises(BudgetExceededError):
        second.profile(username="urban_runner")
    assert simulator.stats()["charged"] == 7 and second.ledger == []


def test_run_cap_stops_paging_at_exactly_the_cap(simulator, api_key, isolated_state):
    client = make_client(simulator, api_key, isolated_state, credit_cap_per_run=4,
                         extra_limits=[shared(api_key, isolated_state, daily=100)])
    pages = []
    with pytest.raises(BudgetExceededError, match="run cap reached: 4 of 4"):
        for page in client.user_posts(client.profile(username="chef_lina")["sec_uid"], count=1):
            pages.append(page)
    assert len(pages) == 3 and simulator.stats()["charged"] == 4
    # the refused reservation was released everywhere: the shared budget saw 4 credits, not 5
    assert shared(api_key, isolated_state, "probe", daily=100).usage() == (4, 4)


def test_two_processes_share_a_daily_budget_exactly(simulator, api_key, isolated_state, tmp_path):
    budget = 25
    results = spend_together(simulator.url, api_key, budget, 40, [isolated_state] * 2, tmp_path / "go")
    assert sum(r["spent"] for r in results) == budget
    assert simulator.stats()["charged"] == budget
    assert sum(r["refused"] for r in results) == 2 * 40 - budget  # every other attempt was refused unsent
    assert shared(api_key, isolated_state, "probe", daily=budget).usage() == (budget, budget)


def test_flushed_ledger_matches_simulator_exactly(simulator, api_key, isolated_state, lake):
    simulator.enqueue_faults([{"status": 429, "retry_after": None, "reset_in": 0.01}, {"status": 502}])
    client = make_client(simulator, api_key, isolated_state, run_id="run-l")
    for name in ACCOUNTS:
        with ledger_flushing(lake, client, "run-l", asset="profiles"), client.tagged(entity=name):
            client.profile(username=name)
    with ledger_flushing(lake, client, "run-l", asset="posts"), client.tagged(entity="chef_lina"):
        sec = client.profile(username="chef_lina")["sec_uid"]
        list(client.user_posts(sec, count=5, max_pages=3))
    stats = simulator.stats()
    table = read_ledger(lake)
    by_endpoint: dict[str, int] = {}
    for row in table.to_pylist():
        by_endpoint[row["endpoint"]] = by_endpoint.get(row["endpoint"], 0) + 1
    assert by_endpoint == stats["requests"]  # every request, including the refunded 429 and 502
    assert sum(table["credits_used"].to_pylist()) == stats["charged"] == 7
    assert sorted(table["http_status"].to_pylist()) == [200] * 7 + [429, 502]
    assert min(table["credits_remaining"].drop_null().to_pylist()) == stats["credits_remaining"]
    assert len(lake.partitions("credit_ledger")) == 4  # one immutable file per flush


def daily_workload(client: ScavioClient, window: Window) -> None:
    """One "day" of the pipeline for a few assets: profiles, posts newest-first over the window, comments."""
    for name in ACCOUNTS:
        with client.tagged(asset="profiles", partition=str(window), entity=name):
            sec = client.profile(username=name)["sec_uid"]
        with client.tagged(asset="posts", partition=str(window), entity=name):
            newest = None
            for page in client.user_posts(sec, count=5):
                newest = newest or next((i for i in page.items if not i.get("is_top")), None)
                if page_is_older_than(page.items, window):
                    break
        with client.tagged(asset="comments", partition=str(window), entity=name):
            list(client.video_comments(newest["aweme_id"], count=20, max_pages=2))


def test_estimate_from_day_one_predicts_day_two(simulator_factory, api_key, isolated_state, lake):
    day1 = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
    actual: dict[int, dict[str, int]] = {}
    for offset in (0, 1):
        sim = simulator_factory(now=(day1 + timedelta(days=offset)).timestamp())
        client = make_client(sim, api_key, isolated_state, run_id=f"day{offset + 1}")
        window_day = (day1 + timedelta(days=offset - 1)).date()
        daily_workload(client, Window(window_day, window_day))
        per_asset: dict[str, int] = {}
        for e in client.ledger:
            per_asset[e.asset] = per_asset.get(e.asset, 0) + e.credits_used
        actual[offset] = per_asset
        assert sum(per_asset.values()) == sim.stats()["charged"]
        if offset == 0:
            flush_ledger(lake, client.ledger, "day1")
            estimate = estimate_credits(lake, ["profiles", "posts", "comments"], [window_day + timedelta(days=1)],
                                        Tracked(accounts=ACCOUNTS))
    # Stated tolerance: within 10% (at least 1 credit) per asset on an identical second day.
    for asset, credits in actual[1].items():
        assert abs(estimate[asset] - credits) <= max(1, 0.1 * credits), (asset, estimate, actual[1])
    assert actual[1]["profiles"] == 3 and actual[1]["posts"] >= len(ACCOUNTS) and actual[1]["comments"] >= len(ACCOUNTS)


def test_low_balance_alert_from_real_balance(simulator_factory, api_key, isolated_state, lake):
    sim = simulator_factory(initial_credits=30)
    client = make_client(sim, api_key, isolated_state, run_id="run-lb")
    with ledger_flushing(lake, client, "run-lb", asset="profiles"):
        for i in range(25):
            client.profile(username=ACCOUNTS[i % 3])
    assert sim.stats()["credits_remaining"] == 5
    with DagsterInstance.ephemeral() as instance:  # the sensor reads the shared state, written per request
        result = evaluate_low_balance(build_sensor_context(instance=instance), shared_ledger(), BudgetSettings(low_balance=10))
    assert result.skip_reason.skip_message.startswith("Low credit balance: 5 credits remaining (at ")
    assert result.skip_reason.skip_message.endswith(") < threshold 10")


def test_exhausted_balance_stops_cleanly_and_keeps_written_partitions(simulator_factory, api_key, isolated_state, lake):
    sim = simulator_factory(initial_credits=5)
    client = make_client(sim, api_key, isolated_state, run_id="run-x")
    days = [datetime(2026, 11, 18, tzinfo=timezone.utc).date() + timedelta(days=i) for i in range(2)]
    with pytest.raises(InsufficientCreditsError) as err:
        with ledger_flushing(lake, client, "run-x", asset="profiles"):
            for day in days:
                for name in ACCOUNTS:
                    user = client.profile(username=name)
                    lake.write_partition("profiles", day, name, [flatten(
                        "profiles", [user], partition_date=day, tracked_entity=name, captured_at=datetime.now(timezone.utc))])
    message = str(err.value)
    assert "insufficient_credits" in message and "credit balance exhausted" in message and api_key not in message
    assert sim.stats()["charged"] == 5
    written = lake.partitions("profiles")
    assert [(d.isoformat(), k) for d, k in written] == [
        ("2026-11-18", "chef_lina"), ("2026-11-18", "pixel_pets"), ("2026-11-18", "urban_runner"),
        ("2026-11-19", "chef_lina"), ("2026-11-19", "urban_runner")]
    profiles = lake.read("profiles")
    assert profiles.num_rows == 5 and set(profiles["unique_id"].to_pylist()) == set(ACCOUNTS)
    ledger = read_ledger(lake)  # the failed run still recorded what it spent, and the refused 402
    assert sorted(ledger["http_status"].to_pylist()) == [200] * 5 + [402]
    assert sum(ledger["credits_used"].to_pylist()) == 5


def test_resource_client_with_run_limits_reserves_each_credit_once(simulator, api_key, isolated_state, lake):
    from tiktok_assets.budget.run_limit import attach_budget
    from tiktok_assets.scavio.resource import ScavioResource

    flush_ledger(lake, [e for e in make_ledger_today(3)], "earlier-run")  # spent earlier today by another run
    budget = BudgetSettings(daily=10)
    resource = ScavioResource(api_key=api_key, base_url=simulator.url, rate_limit=100000, rate_window_seconds=1,
                              state_dir=str(isolated_state))
    clients = []
    limits = []
    for asset in ("profiles", "posts"):  # two assets of one run ask for the client and attach the budget
        clients.append(resource.get_client(run_id="run-r"))
        limits.append(attach_budget(clients[-1], lake, budget, api_key, "run-r", state_dir=isolated_state))
    assert clients[0] is clients[1] and limits[0] is limits[1]
    assert attach_budget(clients[0], lake, BudgetSettings(), api_key, "run-r") is None  # no budget, no limit
    with pytest.raises(BudgetExceededError, match="7 of 10|10 of 10"):
        for i in range(20):
            clients[0].profile(username=ACCOUNTS[i % 3])
    assert simulator.stats()["charged"] == 7  # 10 minus the 3 the ledger baseline already counted
    resource.close()


def make_ledger_today(n: int):
    from tiktok_assets.scavio.types import LedgerEntry
    now = datetime.now(timezone.utc).timestamp()
    return [LedgerEntry("/api/v1/tiktok/profile", f"h{i}", 200, 1, 100 - i, 2.0, now) for i in range(n)]
