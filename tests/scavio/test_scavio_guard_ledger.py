"""Credit guard reservations and the ledger's context labels (pure, no HTTP)."""

from __future__ import annotations

import threading

import pytest

from tests.scavio.scavio_helpers import run_threads
from tiktok_assets.scavio.errors import BudgetExceededError
from tiktok_assets.scavio.guard import CreditGuard, CreditLimit, RunCap
from tiktok_assets.scavio.ledger import Ledger, params_hash, tagged


def test_run_cap_reserves_refunds_and_names_the_limit():
    cap = RunCap(2)
    cap.reserve()
    cap.reserve()
    with pytest.raises(BudgetExceededError) as info:
        cap.reserve()
    assert (info.value.limit_name, info.value.spent, info.value.limit) == ("run cap", 2, 2)
    assert "run cap" in str(info.value) and "2 of 2" in str(info.value)
    cap.settle(1, 0)  # refund: a 429 cost nothing
    cap.reserve()
    assert cap.committed == 2
    assert RunCap(None).reserve(10**9) is None


def test_run_cap_under_thread_contention_is_exact():
    cap, granted, lock = RunCap(7), [], threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        for _ in range(5):
            try:
                cap.reserve()
            except BudgetExceededError:
                return
            with lock:
                granted.append(1)

    run_threads(worker, 16)
    assert len(granted) == 7


class Recording:
    name = "recording"

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.calls = fail, []

    def reserve(self, n: int = 1) -> None:
        if self.fail:
            raise BudgetExceededError("recording limit hit", limit_name=self.name, spent=0, limit=0)
        self.calls.append(("reserve", n))

    def settle(self, reserved: int, used: int) -> None:
        self.calls.append(("settle", reserved, used))


def test_guard_is_all_or_nothing():
    first, failing = Recording(), Recording(fail=True)
    assert isinstance(first, CreditLimit)
    guard = CreditGuard([first, failing])
    with pytest.raises(BudgetExceededError, match="recording limit hit"):
        guard.reserve(1)
    assert first.calls == [("reserve", 1), ("settle", 1, 0)]  # rolled back
    ok = Recording()
    guard = CreditGuard([ok])
    guard.add(ok)
    guard.add(second := Recording())
    guard.reserve(1)
    guard.settle(1, 1)
    assert ok.calls == second.calls == [("reserve", 1), ("settle", 1, 1)]


def test_params_hash_is_canonical():
    a = params_hash({"keyword": "東京", "count": 30, "cursor": "0"})
    assert a == params_hash({"cursor": "0", "count": 30, "keyword": "東京"})
    assert len(a) == 16 and a != params_hash({"keyword": "東京", "count": 30, "cursor": "30"})


def test_tags_nest_and_reset():
    ledger = Ledger("run-1")
    kwargs = dict(endpoint="/e", params={}, http_status=200, credits_used=1, credits_remaining=5,
                  latency_ms=1.0, requested_at=0.0)
    with tagged(asset="posts", partition="2026-01-01"):
        with tagged(entity="chef_lina"):
            inner = ledger.record(**kwargs)
        outer = ledger.record(**kwargs)
    bare = ledger.record(**kwargs)
    assert (inner.asset, inner.partition, inner.entity, inner.run_id) == ("posts", "2026-01-01", "chef_lina", "run-1")
    assert (outer.entity, bare.asset) == (None, None)
    assert ledger.credits_spent == 3 and len(ledger) == 3
    with pytest.raises(ValueError, match="colour"):
        with tagged(colour="blue"):
            pass
