"""The shared state's stores on an in-memory SQLite database (same schema and ``BEGIN IMMEDIATE``
writes as the real one): budget rows, the per-request ledger and its exactly-once export."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tiktok_assets.scavio.types import LedgerEntry
from tiktok_assets.state.ledger import LedgerStore
from tiktok_assets.state.spend import SpendStore

PERIOD = ("2026-11-01", "2026-12-01")


def test_spend_store_reserves_under_the_check_adjusts_and_prunes(memory_engine):
    store = SpendStore(memory_engine)
    seen = []
    store.reserve("k1", "run-a", "2026-11-20", 3, PERIOD, "t1", seen.append)
    store.reserve("k1", "run-a", "2026-11-20", 2, PERIOD, "t2", seen.append)
    store.reserve("k1", "run-b", "2026-11-21", 1, PERIOD, "t3", seen.append)
    store.reserve("k2", "run-c", "2026-11-21", 4, PERIOD, "t4", seen.append)
    assert seen == [{}, {("run-a", "2026-11-20"): 3}, {("run-a", "2026-11-20"): 5}, {}]  # per key, before adding

    def refuse(rows):
        raise RuntimeError(f"over budget: {sum(rows.values())}")

    with pytest.raises(RuntimeError, match="over budget: 6"):
        store.reserve("k1", "run-a", "2026-11-20", 1, PERIOD, "t5", refuse)
    assert store.rows("k1", PERIOD) == {("run-a", "2026-11-20"): 5, ("run-b", "2026-11-21"): 1}  # refused: nothing added
    store.adjust("k1", "run-a", "2026-11-20", -2, "t6")  # a 429 refunded
    store.adjust("k1", "run-b", "2026-11-21", -9, "t7")  # never below zero
    assert store.rows("k1", PERIOD) == {("run-a", "2026-11-20"): 3, ("run-b", "2026-11-21"): 0}
    assert store.rows(None, PERIOD) == {("run-a", "2026-11-20"): 3, ("run-b", "2026-11-21"): 0, ("run-c", "2026-11-21"): 4}
    assert store.rows("k1", ("2026-11-21", "2026-11-22")) == {("run-b", "2026-11-21"): 0}
    assert store.prune("2026-11-21") == 1
    assert store.rows(None, PERIOD) == {("run-b", "2026-11-21"): 0, ("run-c", "2026-11-21"): 4}


def entry(i, at, run="run-1", credits=1, remaining=None, status=200):
    return LedgerEntry(endpoint="/api/v1/tiktok/profile", params_hash=f"h{i}", http_status=status, credits_used=credits,
                       credits_remaining=remaining, latency_ms=10.0 + i, requested_at=at, asset="profiles",
                       partition="2026-11-20", entity=f"e{i}", run_id=run)


DAY = datetime(2026, 11, 20, tzinfo=UTC).timestamp()


def test_ledger_store_totals_balance_and_entries(memory_engine):
    store = LedgerStore(memory_engine, key_fp="k1")
    rows = [entry(0, DAY - 1, remaining=50), entry(1, DAY + 10, remaining=49), entry(2, DAY + 10, remaining=48),
            entry(3, DAY + 20, status=429, credits=0)]
    for row in rows:
        store.append(row)
    assert store.latest_balance(DAY) == (48, datetime.fromtimestamp(DAY + 10, tz=UTC))  # a 429 reports none
    store.append(entry(5, DAY + 10, remaining=47))  # same second: the smallest balance is the latest
    assert store.latest_balance(0)[0] == 47
    rows.append(entry(4, DAY + 86400, run="run-2", remaining=40))
    store.append(rows[-1])
    assert store.totals_by_day(DAY - 86400, DAY + 2 * 86400) == {"2026-11-19": 1, "2026-11-20": 3, "2026-11-21": 1}
    assert store.totals_by_day(DAY, DAY + 86400) == {"2026-11-20": 3}
    assert store.latest_balance(DAY) == (40, datetime.fromtimestamp(DAY + 86400, tz=UTC))
    assert store.latest_balance(DAY + 2 * 86400) is None
    assert store.entries("run-2") == [rows[-1]] and store.entries()[:4] == rows[:4] and store.pending() == 6


def test_spend_by_asset_sums_charged_requests_and_credits_per_asset_of_one_run(memory_engine):
    store = LedgerStore(memory_engine, key_fp="k1")
    rows = [entry(0, DAY), entry(1, DAY, credits=2), entry(2, DAY, status=429, credits=0), entry(3, DAY, run="run-2"),
            LedgerEntry(endpoint="/api/v1/tiktok/posts", params_hash="p", http_status=200, credits_used=1,
                        credits_remaining=None, latency_ms=1.0, requested_at=DAY, asset="posts", run_id="run-1"),
            LedgerEntry(endpoint="/api/v1/tiktok/profile", params_hash="n", http_status=500, credits_used=0,
                        credits_remaining=None, latency_ms=1.0, requested_at=DAY, asset=None, run_id="run-1")]
    for row in rows:
        store.append(row)
    # a 429 and an unanswered request are no page; run-2's row is not run-1's
    assert store.spend_by_asset("run-1") == {"profiles": (2, 3), "posts": (1, 1), None: (0, 0)}
    assert store.spend_by_asset("run-2") == {"profiles": (1, 1)}
    assert store.spend_by_asset("no-such-run") == {}


class FakeLake:
    """Records what an export writes (the real lake is not needed to test the claim/mark logic)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.writes: list[tuple[str, date, str, int]] = []
        self.fail_after = fail_after

    def write_partition(self, table, day, key, rows):
        if self.fail_after is not None and len(self.writes) >= self.fail_after:
            raise OSError("lake down")
        self.writes.append((table, day, key, rows.num_rows))


def test_ledger_export_is_exactly_once_and_a_failed_batch_is_rewritten_under_its_key(memory_engine):
    store = LedgerStore(memory_engine)
    for i, (at, run) in enumerate([(DAY + 1, "run-1"), (DAY + 2, "run-1"), (DAY + 86400, "run-1"), (DAY + 3, "run-2")]):
        store.append(entry(i, at, run=run))
    broken = FakeLake(fail_after=1)
    with pytest.raises(OSError, match="lake down"):
        store.export_pending(broken, label="step/x")
    assert store.pending() == 4  # claimed but not marked: nothing counted yet
    lake = FakeLake()
    assert store.export_pending(lake, label="step/x") == 4
    assert store.pending() == 0 and store.export_pending(lake) == 0
    assert [(t, d, n) for t, d, _, n in lake.writes] == [
        ("credit_ledger", date(2026, 11, 20), 2), ("credit_ledger", date(2026, 11, 20), 1),
        ("credit_ledger", date(2026, 11, 21), 1)]
    keys = [k for _, _, k, _ in lake.writes]
    assert keys[0].startswith("run-1.step_x-") and keys[1].startswith("run-2.step_x-")
    assert keys[0] == broken.writes[0][2]  # the batch cut short is rewritten under the same key
    assert store.prune(DAY + 71 * 86400) == 3 and store.prune(DAY + 72 * 86400) == 1  # exported rows past 70 days
