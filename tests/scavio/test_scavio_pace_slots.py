"""The pacer's bookkeeping that decides the rate-bound wall time: no slot lost, no slot invented.

Why these tests: a rate-bound run is only as fast as the pacer lets it be. Two things used to waste
the key's capacity: every waiting thread of a process polled the shared state (about three locked
transactions per send), and a send subtracted from the server's ``Remaining`` as "in flight" was
never given back when its own answer showed the server had already counted it. Speed itself is
measured by ``benchmarks/pace_account.py`` and ``benchmarks/pace_client.py``, not here; these tests pin
the mechanisms with a fake clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tiktok_assets.scavio.ratelimit import SharedPacer, key_fingerprint
from tiktok_assets.scavio.retry import RESET_MARGIN

FP = key_fingerprint("http://h", "sk_pace_slots_key")


class FakeTime:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def pacer(tmp_path: Path, t: FakeTime, limit: int | None = None, window: float = 10.0,
          sleep: Callable[[float], None] | None = None) -> SharedPacer:
    return SharedPacer(FP, limit, window, state_dir=tmp_path, clock=t.clock, sleep=sleep or t.sleep)


def headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset)}


@dataclass
class InFlight:
    """A pacer whose basis came from the *last* of three sends: the two before it are in flight."""

    t: FakeTime
    p: SharedPacer
    reset: float
    early: int
    middle: int


@pytest.fixture
def in_flight(tmp_path: Path) -> InFlight:
    """Three sends; the *last* one answers first with Remaining 6 of 10: the other two are in flight,
    so the basis is 6 - 2 = 4 (they may reach the server after it)."""
    t = FakeTime()
    p = pacer(tmp_path, t)
    reset = t.now + 5.0
    p.release(p.acquire(), headers(10, 9, reset))  # the first answer: the server's pace is known
    early, middle, last = p.acquire(), p.acquire(), p.acquire()
    t.now += 0.01
    p.release(last, headers(10, 6, reset))
    assert p.snapshot()["srv_remaining"] == 6 - 2
    return InFlight(t, p, reset, early, middle)


def test_an_answer_counted_before_the_basis_returns_its_slot(in_flight: InFlight) -> None:
    """The two in flight answer Remaining 8 and 7: the server saw them before the basis request (6),
    so its 6 already counted them, and the 2 subtracted come back: 6 left, not 4."""
    t, p, reset = in_flight.t, in_flight.p, in_flight.reset
    p.release(in_flight.early, headers(10, 8, reset))
    p.release(in_flight.middle, headers(10, 7, reset))
    snap = p.snapshot()
    assert (snap["srv_remaining"], snap["srv_reset"]) == (6, pytest.approx(reset + RESET_MARGIN))
    for _ in range(6):  # exactly the server's 6 go out before the reset, without waiting
        p.release(p.acquire())
    assert t.now == pytest.approx(1_800_000_000.01)
    p.release(p.acquire())  # the 7th waits for the reset
    assert t.now == pytest.approx(reset + RESET_MARGIN)


def test_an_answer_counted_after_the_basis_becomes_the_basis(in_flight: InFlight) -> None:
    """A lower Remaining (5) means the server counted it after the basis: it is the newer word."""
    in_flight.p.release(in_flight.early, headers(10, 5, in_flight.reset))
    assert in_flight.p.snapshot()["srv_remaining"] == 5 - 1  # the middle one is still in flight


@pytest.mark.parametrize("answer", [None, {}], ids=["transport-error", "no-headers"])
def test_an_answer_that_proves_nothing_returns_nothing(in_flight: InFlight, answer: dict[str, str] | None) -> None:
    """A transport error or an answer without the headers: the subtraction stays."""
    in_flight.p.release(in_flight.early, answer)
    assert in_flight.p.snapshot()["srv_remaining"] == 4


def test_a_429_returns_nothing(in_flight: InFlight) -> None:
    """A 429's Remaining 0 is the newest word of the window: nothing is left, nothing comes back."""
    in_flight.p.release(in_flight.early, headers(10, 0, in_flight.reset))
    assert in_flight.p.snapshot()["srv_remaining"] == 0 - 1  # the middle one is still in flight


def test_an_answer_from_an_earlier_window_returns_its_slot(tmp_path: Path) -> None:
    """A send the server counted in the previous window does not use the basis window's room."""
    t = FakeTime()
    p = pacer(tmp_path, t)
    old_reset, reset = t.now + 0.5, t.now + 10.5
    p.release(p.acquire(), headers(10, 9, old_reset))
    straggler = p.acquire()  # reaches the server in the old window, answers late
    t.now = old_reset + 0.1
    fresh = p.acquire()
    p.release(fresh, headers(10, 9, reset))  # the new window's first word, the straggler in flight
    assert p.snapshot()["srv_remaining"] == 9 - 1
    p.release(straggler, headers(10, 3, old_reset))
    assert p.snapshot()["srv_remaining"] == 9


def test_a_send_after_the_basis_is_not_returned(tmp_path: Path) -> None:
    """Sent after the basis answer arrived, a send is counted through the sends since the basis; its
    higher Remaining is a reordering of a later request, not a double count."""
    t = FakeTime()
    p = pacer(tmp_path, t)
    reset = t.now + 5.0
    p.release(p.acquire(), headers(10, 9, reset))
    t.now += 0.01
    later = p.acquire()
    t.now += 0.01
    p.release(later, headers(10, 9, reset))  # the same Remaining as the basis: not newer, not counted before
    assert p.snapshot()["srv_remaining"] == 9


def test_one_thread_per_process_asks_the_shared_state(tmp_path: Path) -> None:
    """While one thread waits out a pause (a 429's), the others of the process wait in memory: one
    locked transaction for the whole queue, not one per thread per wake-up."""
    t = FakeTime()
    release_sleep, sleeping = threading.Event(), threading.Event()

    def sleep(seconds: float) -> None:  # the waiting thread parks here until the test lets time pass
        sleeping.set()
        assert release_sleep.wait(10)
        t.now += seconds

    p = pacer(tmp_path, t, sleep=sleep)
    p.release(p.acquire(), headers(10, 5, t.now + 60.0))  # 5 left in the window
    p.block_for(2.0, "429")  # every sender on the key pauses
    takes: list[int] = []
    take = p.store.take
    gate_entries = threading.Semaphore(0)
    enter_gate = p._enter_gate  # noqa: SLF001 - observe the queue

    def counting_take(*args, **kwargs):  # type: ignore[no-untyped-def]
        takes.append(1)
        return take(*args, **kwargs)

    def observed_gate() -> None:
        gate_entries.release()
        enter_gate()

    p.store.take = counting_take  # type: ignore[method-assign]
    p._enter_gate = observed_gate  # type: ignore[method-assign]  # noqa: SLF001
    tokens: list[int] = []
    threads = [threading.Thread(target=lambda: tokens.append(p.acquire())) for _ in range(4)]
    for th in threads:
        th.start()
    assert sleeping.wait(10)
    for _ in range(4):
        assert gate_entries.acquire(timeout=10)  # every thread has reached the gate
    assert len(takes) == 1  # only the thread holding the gate has asked the shared state
    release_sleep.set()
    for th in threads:
        th.join(10)
    assert len(tokens) == 4 and len(set(tokens)) == 4
    assert len(takes) == 5  # the first asks twice (before and after its wait), the others once each
    assert len(p.snapshot()["in_flight"]) == 4


class WouldWait(Exception):
    """Raised by :func:`refuse_to_wait`: the pacer decided to wait."""


def refuse_to_wait(seconds: float) -> None:
    raise WouldWait(seconds)


def full_window_then_probe(tmp_path: Path, reset_header: Callable[[float], str]) -> tuple[FakeTime, SharedPacer, int]:
    """A window spent (Remaining 0, the oldest request leaves in 1 s), then the one probe a passed Reset
    allows; ``reset_header(at)`` writes a Reset for unix time ``at`` in the server's format."""
    t = FakeTime()
    p = pacer(tmp_path, t)
    start = t.now
    p.release(p.acquire(), {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset": reset_header(start + 1.0)})
    probe = p.acquire()
    assert t.now == pytest.approx(start + 1.0 + RESET_MARGIN)  # the probe waited for the Reset
    return t, p, probe


def test_a_sliding_windows_later_reset_with_more_room_is_the_newest_word(tmp_path: Path) -> None:
    """A sliding window frees its slots one by one, and the probe's answer says so: Remaining 2, the
    next-oldest request leaving 5 ms after the old Reset. Its Reset is later on the server's own clock,
    so it is a later count even though its Remaining is higher, and both slots go out at once instead
    of one probe per slot (1.074x the bound against 1.034x in ``benchmarks/pace_client.py``'s sliding row)."""
    t, p, probe = full_window_then_probe(tmp_path, lambda at: f"{at:.3f}")
    p.release(probe, headers(10, 2, round(t.now - RESET_MARGIN + 0.005, 3)))
    assert p.snapshot()["srv_remaining"] == 2
    p._sleep = refuse_to_wait  # noqa: SLF001 - the two freed slots must not wait
    p.acquire(), p.acquire()
    with pytest.raises(WouldWait):  # and a third is more than the server said
        p.acquire()


def test_a_reset_in_seconds_from_now_keeps_the_quarter_second_rule(tmp_path: Path) -> None:
    """"Seconds from now" is read against our receive time, so 5 ms later proves nothing about the
    server's order: the higher Remaining could be a reordered answer of a fixed window, and is not
    trusted. The pacer probes once more, one send at a time, until a word it can trust."""
    t, p, probe = full_window_then_probe(tmp_path, lambda at: "1")
    p.release(probe, {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "0.005"})
    assert p.snapshot()["srv_remaining"] == 0
    p._sleep = refuse_to_wait  # noqa: SLF001
    p.acquire()  # the next probe
    with pytest.raises(WouldWait):  # not the two the untrusted answer reported
        p.acquire()


def test_a_reordered_answer_of_a_sliding_window_never_raises_the_count(tmp_path: Path) -> None:
    """Two sends in flight; the later-counted one (Reset 10 ms later, Remaining 1) answers first and
    becomes the basis, the other still in flight is subtracted from it. The earlier-counted one (Reset
    5 ms later, Remaining 3) answers after: it is older, so its 3 is not the word; it was counted before
    the basis, so the slot subtracted for it comes back, and the room is the basis's 1."""
    t = FakeTime()
    p = pacer(tmp_path, t)
    start = t.now
    p.release(p.acquire(), headers(10, 5, round(start + 1.0, 3)))
    earlier, later = p.acquire(), p.acquire()
    t.now += 0.01
    p.release(later, headers(10, 1, round(start + 1.010, 3)))
    assert p.snapshot()["srv_remaining"] == 1 - 1
    p.release(earlier, headers(10, 3, round(start + 1.005, 3)))
    snap = p.snapshot()
    assert (snap["srv_remaining"], snap["srv_reset"]) == (1, pytest.approx(start + 1.010 + RESET_MARGIN))
