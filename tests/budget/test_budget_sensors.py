"""credit_budget_sensor / low_balance_sensor over the shared state (SQLite), with a real ephemeral instance."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    DailyPartitionsDefinition,
    Definitions,
    asset,
    build_sensor_context,
)
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill  # test set-up only
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.storage.dagster_run import DagsterRun

from tests.budget.budget_helpers import NOW, entries
from tiktok_assets.budget.ledger_sink import flush_ledger
from tiktok_assets.budget.sensors import (
    CREDIT_BUDGET_KEY,
    EXHAUSTED_PREFIX,
    LOW_BALANCE_PREFIX,
    WARNING_PREFIX,
    budget_gate,
    credit_budget_sensor,
    evaluate_credit_budget,
    evaluate_low_balance,
)
from tiktok_assets.budget.resource import BudgetResource
from tiktok_assets.budget.settings import BudgetSettings
from tiktok_assets.state.engine import get_engine
from tiktok_assets.state.ledger import LedgerStore


@pytest.fixture
def instance():
    with DagsterInstance.ephemeral() as inst:
        yield inst


@pytest.fixture
def state(isolated_state) -> LedgerStore:
    """The shared state's request ledger (SQLite under the test's TIKTOK_STATE_DIR)."""
    return LedgerStore(get_engine())


def record(state: LedgerStore, rows, run_id: str) -> None:
    """Write rows the way the client does: one committed row per request."""
    for entry in rows:
        state.append(replace(entry, run_id=run_id))


def tick(instance, state, settings, now, cursor=None, **kw):
    return evaluate_credit_budget(build_sensor_context(instance=instance, cursor=cursor), state, settings, now, **kw)


def logged(capfd, prefix: str) -> list[str]:
    """Lines the sensor logged (Dagster's sensor logger writes to stderr, not to the root logger)."""
    err = capfd.readouterr().err
    return [line.split(" - WARNING - ", 1)[1] for line in err.splitlines() if f"WARNING - {prefix}" in line]


def test_warning_at_threshold_logs_and_observes(state, instance, capfd):
    record(state, entries(7), "run-a")
    settings = BudgetSettings(daily=10, warn_ratio=0.8)
    below = tick(instance, state, settings, NOW)
    assert below.skip_reason.skip_message.startswith("Credit budget ok: used 7 of 10 daily")
    assert logged(capfd, WARNING_PREFIX) == []
    record(state, entries(1, at=NOW + timedelta(minutes=5)), "run-b")
    at = tick(instance, state, settings, NOW + timedelta(minutes=10), cursor=below.cursor)
    assert at.skip_reason.skip_message.startswith("Credit budget warning: used 8 of 10 daily")
    assert logged(capfd, WARNING_PREFIX) == [
        f"{WARNING_PREFIX}: used 8 of 10 daily, resets at 2026-11-21T00:00:00+00:00 (warn ratio 80%)"]
    # the next tick without new spend does not repeat the warning
    again = tick(instance, state, settings, NOW + timedelta(minutes=15), cursor=at.cursor)
    assert logged(capfd, WARNING_PREFIX) == [] and again.asset_events == []
    [obs] = at.asset_events
    assert obs.asset_key == CREDIT_BUDGET_KEY
    assert obs.metadata["level"].value == "warning" and obs.metadata["credits_left"].value == 2


def test_observation_leaves_out_budgets_that_are_not_set(state, instance):
    """A monthly budget that is not set is absent from the metadata, not a plotted -1."""
    record(state, entries(3), "run-a")
    result = tick(instance, state, BudgetSettings(daily=10), NOW)
    [obs] = result.asset_events
    meta = {k: v.value for k, v in obs.metadata.items()}
    assert "monthly_budget" not in meta
    assert meta["daily_budget"] == 10 and meta["credits_left"] == 7 and meta["used_today"] == 3
    assert all(isinstance(meta[k], int) for k in ("used_today", "used_billing_month", "daily_budget", "credits_left"))


def test_exhausted_skips_with_reset_time_and_resumes_next_day(lake, state, instance):
    record(state, entries(10), "run-a")
    flush_ledger(lake, entries(10), "run-a")  # the schedules' gate reads the lake's copy
    settings = BudgetSettings(daily=10, monthly=100)
    full = tick(instance, state, settings, NOW)
    assert full.skip_reason.skip_message == (
        "Credit budget exhausted: used 10 of 10 daily, resets at 2026-11-21T00:00:00+00:00; "
        "used 10 of 100 monthly, resets at 2026-12-01T00:00:00+00:00")
    gate = budget_gate(lake, settings, NOW)
    assert gate is not None and gate.skip_message == full.skip_reason.skip_message
    # one second before midnight still exhausted; at midnight UTC the day resets by itself
    assert budget_gate(lake, settings, NOW.replace(hour=23, minute=59, second=59)) is not None
    tomorrow = NOW.replace(hour=0) + timedelta(days=1)
    assert budget_gate(lake, settings, tomorrow) is None
    resumed = tick(instance, state, settings, tomorrow, cursor=full.cursor)
    assert resumed.skip_reason.skip_message.startswith("Credit budget ok: used 0 of 10 daily")
    assert resumed.asset_events[0].metadata["used_billing_month"].value == 10  # the month still counts it


def test_monthly_budget_resets_on_the_billing_cycle_day(lake, instance):
    flush_ledger(lake, entries(30, at=NOW.replace(day=14)), "run-a")  # Nov 14, cycle starts on the 15th
    settings = BudgetSettings(monthly=30, billing_cycle_day=15)
    assert "used 30 of 30 monthly" in budget_gate(lake, settings, NOW.replace(day=14, hour=23)).skip_message
    assert budget_gate(lake, settings, NOW.replace(day=15, hour=0)) is None


def test_each_tick_reads_the_state_current_to_the_last_request(state, instance):
    """No file listing, no cursor arithmetic: a tick sums the state, so nothing is counted twice or missed."""
    record(state, entries(4), "run-a")
    settings = BudgetSettings(daily=100)
    first = tick(instance, state, settings, NOW)
    assert first.asset_events[0].metadata["used_today"].value == 4
    # a second asset step of the same run, and a run on another host: rows land in the same state
    record(state, entries(3, asset="videos", at=NOW + timedelta(seconds=5)), "run-a")
    record(state, entries(2, at=NOW + timedelta(seconds=9)), "run-b")
    second = tick(instance, state, settings, NOW + timedelta(minutes=1), cursor=first.cursor)
    assert second.asset_events[0].metadata["used_today"].value == 9
    # "restart" from the stored cursor with nothing new: same totals, no event
    third = tick(instance, state, settings, NOW + timedelta(minutes=2), cursor=second.cursor)
    assert third.asset_events == [] and json.loads(third.cursor)["used"] == [9, 9]
    # and a fresh cursor reports the same totals
    assert tick(instance, state, settings, NOW).asset_events[0].metadata["used_today"].value == 9


def queued_run(instance, run_id: str, key: list[str]) -> DagsterRun:
    origin = RemoteJobOrigin(repository_origin=RemoteRepositoryOrigin(
        code_location_origin=RegisteredCodeLocationOrigin("tiktok_assets"), repository_name="__repository__"),
        job_name="__ASSET_JOB")
    return instance.add_run(DagsterRun(job_name="__ASSET_JOB", run_id=run_id, status=DagsterRunStatus.QUEUED,
                                       asset_selection=frozenset({AssetKey(key)}), remote_job_origin=origin))


def requested_backfill(instance, backfill_id: str, key: list[str]) -> None:
    @asset(key=key, partitions_def=DailyPartitionsDefinition(start_date="2026-11-01"))
    def _asset() -> None: ...

    graph = Definitions(assets=[_asset]).resolve_asset_graph()
    instance.add_backfill(PartitionBackfill.from_asset_partitions(
        backfill_id=backfill_id, asset_graph=graph, partition_names=["2026-11-02", "2026-11-03"],
        asset_selection=[AssetKey(key)], backfill_timestamp=NOW.timestamp(), tags={}, dynamic_partitions_store=instance,
        all_partitions=False, title=None, description=None, run_config=None))


def test_exhaustion_cancels_queued_api_runs_and_backfills_only(state, instance):
    api_run = queued_run(instance, "q-api", ["tiktok", "posts"])
    dbt_run = queued_run(instance, "q-dbt", ["marts", "daily"])
    requested_backfill(instance, "bf-api", ["tiktok", "posts"])
    requested_backfill(instance, "bf-dbt", ["marts", "daily"])
    settings = BudgetSettings(daily=5)
    record(state, entries(4), "run-a")
    tick(instance, state, settings, NOW)
    assert instance.get_run_by_id(api_run.run_id).status == DagsterRunStatus.QUEUED
    record(state, entries(1, at=NOW + timedelta(seconds=30)), "run-b")
    result = tick(instance, state, settings, NOW + timedelta(minutes=1))
    assert result.skip_reason.skip_message.endswith("; canceled 1 queued run(s) and 1 backfill(s)")
    assert instance.get_run_by_id(api_run.run_id).status == DagsterRunStatus.CANCELED
    assert instance.get_run_by_id(dbt_run.run_id).status == DagsterRunStatus.QUEUED
    assert instance.get_backfill("bf-api").status == BulkActionStatus.CANCELING
    assert instance.get_backfill("bf-dbt").status == BulkActionStatus.REQUESTED


def test_sensor_definition_runs_with_resources(state, instance, capfd):
    record(state, entries(3, at=NOW.now(NOW.tzinfo)), "run-a")  # spent now, so "today" for the real clock
    ctx = build_sensor_context(instance=instance, resources={"budget": BudgetResource(daily_budget=3)})
    data = credit_budget_sensor.evaluate_tick(ctx)
    assert data.skip_message.startswith("Credit budget exhausted: used 3 of 3 daily, resets at ")
    assert len(logged(capfd, EXHAUSTED_PREFIX)) == 1
    assert json.loads(data.cursor) == {"v": 2, "level": "exhausted", "used": [3, 3]}


def test_low_balance_alert(state, instance, capfd):
    record(state, entries(5, remaining_from=60), "run-a")  # last reported balance: 55
    ok = evaluate_low_balance(build_sensor_context(instance=instance), state, BudgetSettings(low_balance=50), NOW)
    assert ok.skip_reason.skip_message == "Credit balance ok: 55 credits remaining (at 2026-11-20T12:00:04+00:00)"
    record(state, entries(6, at=NOW + timedelta(minutes=1), remaining_from=55), "run-b")  # -> 49
    low = evaluate_low_balance(build_sensor_context(instance=instance, cursor=ok.cursor), state,
                               BudgetSettings(low_balance=50), NOW + timedelta(minutes=2))
    assert low.skip_reason.skip_message == (
        "Low credit balance: 49 credits remaining (at 2026-11-20T12:01:05+00:00) < threshold 50")
    assert logged(capfd, LOW_BALANCE_PREFIX) == [
        f"{LOW_BALANCE_PREFIX}: 49 credits left on the account (reported at 2026-11-20T12:01:05+00:00), "
        "below the threshold of 50"]
    assert low.asset_events[0].metadata["balance_level"].value == "low"


def test_credit_budget_is_observed_not_materialized(state, instance):
    """The UI's action on ``tiktok/credit_budget`` is Observe, and observing it reports the budget in
    force from the resource (unset budgets left out), from every host's requests in the shared state."""
    from dagster import define_asset_job

    from tiktok_assets.budget.sensors import credit_budget

    assert credit_budget.is_observable
    record(state, entries(4, at=NOW.now(NOW.tzinfo)), "run-a")
    defs = Definitions(assets=[credit_budget], jobs=[define_asset_job("observe_budget", [CREDIT_BUDGET_KEY])],
                       resources={"budget": BudgetResource(daily_budget=5000)})
    result = defs.resolve_job_def("observe_budget").execute_in_process(instance=instance)
    assert result.success
    [event] = result.asset_observations_for_node("tiktok__credit_budget")
    meta = {k: v.value for k, v in event.metadata.items()}
    assert meta["daily_budget"] == 5000 and meta["used_today"] == 4 and meta["credits_left"] == 4996
    assert "monthly_budget" not in meta and meta["level"] == "ok"
