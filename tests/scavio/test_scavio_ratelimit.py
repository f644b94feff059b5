"""Limiter math (pure) and the shared pacer's file state, with a fake clock (no real sleeping)."""

from __future__ import annotations

import threading

import pytest

from tiktok_assets.scavio.ratelimit import SharedPacer, compute_wait, key_fingerprint, margin_for

KEY = "sk_pacer_secret_key_42"


class FakeTime:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_margin():
    assert margin_for(1.0) == 0.02
    assert margin_for(60.0) == pytest.approx(1.2)


def test_compute_wait_sliding_window():
    m = margin_for(10)
    done = [100.0, 101.0, 102.0]
    assert compute_wait(done[:2], 0, 103.0, 3, 10) == 0.0
    assert compute_wait(done, 0, 103.0, 3, 10) == pytest.approx(100.0 + 10 + m - 103.0)
    assert compute_wait(done, 0, 110.0 + m + 0.001, 3, 10) == 0.0  # the oldest left the window
    # two over the limit (limit lowered): the second-oldest must leave too
    assert compute_wait(done, 0, 103.0, 2, 10) == pytest.approx(101.0 + 10 + m - 103.0)
    # one in flight + two done, limit 3: the oldest done must leave
    assert compute_wait(done[1:], 1, 103.0, 3, 10) == pytest.approx(101.0 + 10 + m - 103.0)


def test_compute_wait_in_flight_and_blocked():
    assert compute_wait([], 2, 100.5, 2, 10, poll=0.03) == 0.03  # completion unknown: poll
    assert compute_wait([], 1, 500.0, 2, 10) == 0.0
    assert compute_wait([], 0, 100.0, 5, 10, blocked_until=104.5) == pytest.approx(4.5)


def test_fingerprint_never_contains_the_key(tmp_path):
    fp = key_fingerprint("http://h", KEY)
    assert KEY not in fp and len(fp) == 32
    assert fp != key_fingerprint("http://other", KEY) and fp == key_fingerprint("http://h/", KEY)
    pacer = SharedPacer.for_key(tmp_path, "http://h", KEY, 3, 10)
    pacer.release(pacer.acquire())
    assert [p.name for p in tmp_path.iterdir()] == [f"ratelimit-{fp}.bin"]
    assert KEY.encode() not in (tmp_path / f"ratelimit-{fp}.bin").read_bytes()
    assert KEY not in repr(pacer)


def test_pacer_waits_for_the_window(tmp_path):
    t = FakeTime()
    pacer = SharedPacer(tmp_path / "p.bin", 3, 10.0, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        pacer.release(pacer.acquire())
    assert t.slept == []
    pacer.release(pacer.acquire())
    assert t.slept == [pytest.approx(10.0 + margin_for(10.0))]


def test_two_pacers_on_one_file_share_the_count(tmp_path):
    t = FakeTime()
    a = SharedPacer(tmp_path / "p.bin", 4, 10.0, clock=t.clock, sleep=t.sleep)
    b = SharedPacer(tmp_path / "p.bin", 4, 10.0, clock=t.clock, sleep=t.sleep)
    for pacer in (a, b, a, b):
        pacer.release(pacer.acquire())
    assert t.slept == []
    b.release(b.acquire())
    assert len(t.slept) == 1 and sum(t.slept) == pytest.approx(10.0 + margin_for(10.0))


def test_remaining_zero_blocks_until_reset_for_everyone(tmp_path):
    t = FakeTime()
    a = SharedPacer(tmp_path / "p.bin", 100, 10.0, clock=t.clock, sleep=t.sleep)
    b = SharedPacer(tmp_path / "p.bin", 100, 10.0, clock=t.clock, sleep=t.sleep)
    a.release(a.acquire(), {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(t.now + 3.5)})
    assert a.snapshot().blocked_until == pytest.approx(t.now + 3.5 + 0.02)
    b.release(b.acquire())
    assert sum(t.slept) == pytest.approx(3.52)


def test_block_for_and_lower_server_limit(tmp_path):
    t = FakeTime()
    pacer = SharedPacer(tmp_path / "p.bin", 50, 10.0, clock=t.clock, sleep=t.sleep)
    pacer.block_for(2.0, "429")
    pacer.release(pacer.acquire(), {"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "1"})
    assert sum(t.slept) == pytest.approx(2.0)
    assert pacer.limit == 2


def test_corrupt_state_file_is_reset(tmp_path):
    (tmp_path / "p.bin").write_text("{not a state file")
    pacer = SharedPacer(tmp_path / "p.bin", 2, 1.0)
    pacer.release(pacer.acquire())
    state = pacer.snapshot()
    assert len(state.done) == 1 and state.in_flight == {}


def test_threads_never_exceed_the_limit(tmp_path):
    """Real clock, 8 threads x 5 acquires, limit 10 per 0.2 s: no 0.2 s span holds more than 10 sends."""
    pacer = SharedPacer(tmp_path / "p.bin", 10, 0.2)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            token = pacer.acquire()
            state = pacer.snapshot()
            with lock:
                stamps.append(state.in_flight[token])
            pacer.release(token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    stamps.sort()
    assert len(stamps) == 40
    assert all(stamps[i + 10] - stamps[i] >= 0.2 for i in range(len(stamps) - 10))


def test_invalid_settings():
    with pytest.raises(ValueError, match="rate_limit"):
        SharedPacer("x", 0, 1.0)
    with pytest.raises(ValueError, match="rate_window_seconds"):
        SharedPacer("x", 1, 0)


def test_clock_stepping_backwards_does_not_freeze_the_pacer(tmp_path) -> None:
    """A full window stamped a day 'in the future' (the clock stepped back) must not hold sends."""
    from tiktok_assets.scavio.ratelimit import MAX_BLOCK_SECONDS, SharedPacer

    clock = {"t": 1_800_000_000.0 + 86_400}
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock["t"] += seconds

    pacer = SharedPacer(tmp_path / "pacer.bin", limit=3, window=1.0, clock=lambda: clock["t"], sleep=sleep)
    for _ in range(3):
        pacer.release(pacer.acquire())
    clock["t"] -= 86_400  # the wall clock steps back a day: the window is full of "future" stamps
    pacer.release(pacer.acquire())
    assert sleeps == []
    pacer.block_for(50_000, "absurd block recorded before a backwards step")
    pacer.release(pacer.acquire())
    assert 0 < sum(sleeps) <= MAX_BLOCK_SECONDS + 1.0
