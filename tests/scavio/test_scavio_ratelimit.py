"""Limiter math (pure) and the shared pacer over the shared state (SQLite here), with a fake clock."""

from __future__ import annotations

import threading
import time

import pytest

from tests.scavio.scavio_helpers import run_threads
from tiktok_assets.scavio.errors import RunInterruptedError
from tiktok_assets.scavio.ratelimit import POLL_SECONDS, SharedPacer, compute_wait, key_fingerprint, margin_for
from tiktok_assets.scavio.retry import RESET_MARGIN

KEY = "sk_pacer_secret_key_42"
FP = key_fingerprint("http://h", KEY)


class FakeTime:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(tmp_path, limit, window=10.0, t: FakeTime | None = None, **kw) -> SharedPacer:
    fake = {"clock": t.clock, "sleep": t.sleep} if t else {}
    return SharedPacer(FP, limit, window, state_dir=tmp_path, **fake, **kw)


def headers(limit: int | None, remaining: int, reset: float) -> dict[str, str]:
    out = {"X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset)}
    if limit is not None:
        out["X-RateLimit-Limit"] = str(limit)
    return out


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
    assert KEY not in FP and len(FP) == 32
    assert FP != key_fingerprint("http://other", KEY) and FP == key_fingerprint("http://h/", KEY)
    p = SharedPacer.for_key(tmp_path, "http://h", KEY, 3, 10)
    p.release(p.acquire())
    files = sorted(x.name for x in tmp_path.iterdir())
    assert files[0] == "state.sqlite"  # (+ its WAL files)
    assert all(KEY.encode() not in (tmp_path / f).read_bytes() for f in files)
    assert KEY not in repr(p) and FP[:8] in repr(p)


def test_ceiling_waits_for_the_window(tmp_path):
    t = FakeTime()
    p = pacer(tmp_path, 3, 10.0, t)
    for _ in range(3):
        p.release(p.acquire())
    assert t.slept == []
    p.release(p.acquire())
    assert t.slept == [pytest.approx(10.0 + margin_for(10.0, one_clock=True))]


def test_one_clock_state_waits_the_window_alone_not_the_skew_margin(tmp_path):
    """SQLite state is one machine's: its stamps share a clock, so the 2% skew margin (0.2 s of a
    10 s window, 2% of every window's pace) is not paid; only 1 ms of rounding slack."""
    p = pacer(tmp_path, 3, 10.0)
    assert p.one_clock and p.margin == pytest.approx(0.001)
    assert margin_for(10.0) == pytest.approx(0.2) and margin_for(10.0, one_clock=True) == pytest.approx(0.001)


def test_two_pacers_on_one_state_share_the_count(tmp_path):
    t = FakeTime()
    a, b = pacer(tmp_path, 4, 10.0, t), pacer(tmp_path, 4, 10.0, t)
    for p in (a, b, a, b):
        p.release(p.acquire())
    assert t.slept == []
    b.release(b.acquire())
    assert len(t.slept) == 1 and sum(t.slept) == pytest.approx(10.0 + margin_for(10.0, one_clock=True))


def test_remaining_zero_blocks_until_reset_for_everyone(tmp_path):
    t = FakeTime()
    a, b = pacer(tmp_path, 100, 10.0, t), pacer(tmp_path, 100, 10.0, t)
    a.release(a.acquire(), headers(None, 0, t.now + 3.5))
    assert a.snapshot()["srv_reset"] == pytest.approx(t.now + 3.5 + RESET_MARGIN)
    b.release(b.acquire())
    assert sum(t.slept) == pytest.approx(3.5 + RESET_MARGIN)


def test_server_remaining_is_shared_and_never_exceeded(tmp_path):
    """No ceiling: the server's Remaining (2 of 5) is what every sender may still use before Reset."""
    t = FakeTime()
    a, b = pacer(tmp_path, None, 10.0, t), pacer(tmp_path, None, 10.0, t)
    reset = t.now + 10.0
    a.release(a.acquire(), headers(5, 2, reset))
    b.release(b.acquire())  # no headers on this answer (a transport detail): still counted
    a.release(a.acquire())
    assert t.slept == []
    b.release(b.acquire(), headers(5, 5, reset + 10.0))  # the third waited for the reset
    assert t.slept == [pytest.approx(10.0 + RESET_MARGIN)]
    snap = a.snapshot()
    assert (snap["srv_limit"], snap["srv_remaining"]) == (5, 5)


class WouldWait(Exception):
    """Raised by :func:`refuse_to_wait`: the pacer decided to wait."""


def refuse_to_wait(seconds: float) -> None:
    raise WouldWait(seconds)


def test_after_reset_one_probe_then_the_new_windows_remaining_at_once(tmp_path):
    """A passed Reset frees every slot on a fixed window but only the oldest request's on a sliding one,
    and nothing says which: one send goes out, the next waits for its answer, and the Remaining that
    answer reports (49 of 50: a fixed window) goes out at once, without the default 10/min pace."""
    t = FakeTime()
    p = pacer(tmp_path, None, 60.0, t)
    p.release(p.acquire(), headers(50, 0, t.now + 1.0))
    probe = p.acquire()
    assert t.slept == [pytest.approx(1.0 + RESET_MARGIN)]
    waits: list[float] = []

    def sleep_and_answer(seconds: float) -> None:  # the probe's answer arrives while the 2nd send waits
        waits.append(seconds)
        t.now += seconds
        p.release(probe, headers(50, 49, t.now + 60.0))

    p._sleep = sleep_and_answer  # noqa: SLF001 - drive the answer from inside the wait
    second = p.acquire()
    assert waits == [pytest.approx(p.poll)]
    p._sleep = t.sleep  # noqa: SLF001
    before = len(t.slept)
    tokens = [second] + [p.acquire() for _ in range(48)]  # 49 in flight: the new window's whole Remaining
    assert len(t.slept) == before and len(set(tokens)) == 49
    assert p.snapshot()["srv_remaining"] == 49


def test_after_reset_a_sliding_windows_single_slot_is_all_that_is_used(tmp_path):
    """The probe's answer says the window slid: 0 left, the next slot frees in 0.3 s. The pacer waits
    for that, and sends one probe per freed slot instead of a burst of Limit."""
    t = FakeTime()
    p = pacer(tmp_path, None, 60.0, t)
    p.release(p.acquire(), headers(50, 0, t.now + 1.0))
    p.release(p.acquire(), headers(50, 0, t.now + 0.3))  # after the 1 s wait: sliding, one slot used
    assert t.slept == [pytest.approx(1.0 + RESET_MARGIN)]
    p.acquire()
    assert t.slept[1:] == [pytest.approx(0.3 + RESET_MARGIN)]
    assert len(p.snapshot()["in_flight"]) == 1
    p._sleep = refuse_to_wait  # noqa: SLF001 - a second send now would be a burst into one freed slot
    with pytest.raises(WouldWait):
        p.acquire()


def test_a_probe_answered_without_headers_does_not_stall_the_key(tmp_path):
    """After a reset, a probe whose answer carries no X-RateLimit-* (a proxy's 502) gives no new word;
    with nothing in flight the next probe goes, instead of waiting forever for a word."""
    t = FakeTime()
    p = pacer(tmp_path, None, 60.0, t)
    p.release(p.acquire(), headers(50, 0, t.now + 1.0))
    p.release(p.acquire())  # the probe: answered, no headers
    assert t.slept == [pytest.approx(1.0 + RESET_MARGIN)]
    p._sleep = refuse_to_wait  # noqa: SLF001 - waiting here would be waiting forever
    p.release(p.acquire())  # the next probe
    p.release(p.acquire(), headers(50, 48, t.now + 60.0))  # and the one whose answer sets the new count
    assert p.snapshot()["srv_remaining"] == 48


def test_before_the_first_answer_one_request_at_a_time(tmp_path):
    t = FakeTime()
    a, b = pacer(tmp_path, None, 10.0, t), pacer(tmp_path, None, 10.0, t)
    first = a.acquire()
    answered: list[float] = []

    def sleep(seconds: float) -> None:  # the first answer arrives while the second sender waits
        answered.append(seconds)
        t.now += seconds
        a.release(first, headers(100, 99, t.now + 60))

    b._sleep = sleep  # noqa: SLF001
    b.release(b.acquire())
    assert answered == [pytest.approx(min(POLL_SECONDS, 10.0 / 50))]
    for _ in range(20):  # then the server's pace: 98 left, nothing waits
        b.release(b.acquire())
    assert t.slept == []


def test_ceiling_is_never_a_floor(tmp_path):
    """Configured 50 per window, the server says 1 left before its reset: the server wins."""
    t = FakeTime()
    p = pacer(tmp_path, 50, 10.0, t)
    p.block_for(2.0, "429")
    token = p.acquire()
    assert t.slept == [pytest.approx(2.0)]
    p.release(token, headers(2, 1, t.now + 5.0))
    p.release(p.acquire())
    p.release(p.acquire())
    assert sum(t.slept) == pytest.approx(2.0 + 5.0 + RESET_MARGIN)
    assert p.limit == 50


def test_threads_never_exceed_the_limit(tmp_path):
    """Real clock, 8 threads x 5 acquires, ceiling 10 per 0.2 s: no 0.2 s span holds more than 10 sends."""
    p = pacer(tmp_path, 10, 0.2)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            token = p.acquire()
            with lock:
                stamps.append(p.snapshot()["in_flight"][token])
            p.release(token)

    run_threads(worker, 8)
    stamps.sort()
    assert len(stamps) == 40
    assert all(stamps[i + 10] - stamps[i] >= 0.2 for i in range(len(stamps) - 10))


def test_cancel_wakes_a_waiting_sender_at_once(tmp_path):
    """Ctrl-C while the server's window is spent for a minute: the waiting sender stops within 0.5 s."""
    p = pacer(tmp_path, None, 60.0)
    p.release(p.acquire(), headers(10, 0, time.time() + 60))
    outcome: list[BaseException] = []

    def wait_for_slot() -> None:
        try:
            p.acquire()
        except RunInterruptedError as exc:
            outcome.append(exc)

    th = threading.Thread(target=wait_for_slot)
    th.start()
    time.sleep(0.3)
    assert th.is_alive()  # really waiting for the reset
    started = time.monotonic()
    p.cancel()
    th.join(5)
    assert not th.is_alive() and time.monotonic() - started < 0.5
    assert len(outcome) == 1 and "no request sent" in str(outcome[0])


def test_invalid_settings(tmp_path):
    with pytest.raises(ValueError, match="rate_limit"):
        SharedPacer(FP, 0, 1.0, state_dir=tmp_path)
    with pytest.raises(ValueError, match="rate_window_seconds"):
        SharedPacer(FP, 1, 0, state_dir=tmp_path)


def test_clock_stepping_backwards_does_not_freeze_the_pacer(tmp_path) -> None:
    """A full window stamped a day 'in the future' (the clock stepped back) must not hold sends."""
    from tiktok_assets.scavio.ratelimit import MAX_BLOCK_SECONDS

    t = FakeTime(1_800_000_000.0 + 86_400)
    p = pacer(tmp_path, 3, 1.0, t)
    for _ in range(3):
        p.release(p.acquire())
    t.now -= 86_400  # the wall clock steps back a day: the window is full of "future" stamps
    p.release(p.acquire())
    assert t.slept == []
    p.block_for(50_000, "absurd block")
    p.release(p.acquire())
    assert 0 < sum(t.slept) <= MAX_BLOCK_SECONDS + 1.0
