"""The pace of one API key, shared by every thread, process and host that uses it.

Why in the shared state (:mod:`tiktok_assets.state`): the rate limit belongs to the key, not to the
process or the pod, so the CLI, ``dagster dev`` and runs spread over machines must share one count.
The state is keyed by a sha256 fingerprint of (base_url, api_key) — never the key.

Two rules, both applied under the key's lock before every send:

- **The server's word** (always): every answer's ``X-RateLimit-Limit/Remaining/Reset`` is the one
  count all hosts share. The newest answer in the server's count (a later ``Reset``, or the same one
  with a lower ``Remaining``; see :mod:`tiktok_assets.state.pace`) becomes the basis: its
  ``Remaining`` minus the requests that were still in flight when it arrived, minus every send since.
  At zero, senders wait for the answers in flight, then for ``Reset``. Once ``Reset`` has passed, the room is the old
  estimate plus one slot until an answer from after the reset sets a new basis: the notes do not say
  whether the window is fixed (every slot frees at Reset) or sliding (the oldest request's slot alone),
  and reading a passed Reset as ``Limit`` fresh slots meets 429s on a sliding one. Before any answer at all, one request at a
  time (start conservatively); a server that never sends the headers gets the documented default
  pace (``DEFAULT_RATE_LIMIT`` per ``DEFAULT_RATE_WINDOW_SECONDS``).
- **A configured ceiling** (``SCAVIO_RATE_LIMIT`` / ``rate_limit``, optional): a sliding-window log,
  at most ``limit`` sends in any ``window`` + a margin. A send is re-stamped when its answer arrives:
  the completion time bounds when the server saw it from above, so on one clock the window alone is
  exact and the margin is only float rounding (``ONE_CLOCK_MARGIN``, SQLite state: one machine).
  State in a server database (PostgreSQL) is shared by hosts whose clocks differ, and one host's
  stamp is compared with another's: there the margin is max(20 ms, 2% of the window), the skew it
  absorbs. The ceiling never raises the pace above what the server says remains.

A 429 pauses every sender on the key (``block_for``). Waiting happens outside the lock, in slices,
so :meth:`SharedPacer.cancel` (Ctrl-C, SIGTERM) stops a waiting sender within a fraction of a second.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import settings
from ..state.engine import get_engine
from ..state.pace import PaceStore, PaceView, ServerAnswer
from . import retry
from . import validation
from .errors import RunInterruptedError

log = logging.getLogger("tiktok_assets.scavio")

MIN_MARGIN = 0.02
ONE_CLOCK_MARGIN = 0.001  # every stamp from one clock (SQLite state): rounding only
# No server-requested pause is honoured beyond this (the requester raises past 300 s), so a larger
# one in the shared state can only come from a clock that stepped backwards.
MAX_BLOCK_SECONDS = 300.0
MARGIN_RATIO = 0.02
POLL_SECONDS = 0.02  # re-check while answers are in flight
SLEEP_SLICE = 0.1  # a waiting sender notices cancel() within this
PRUNE_EVERY = 1.0


def key_fingerprint(base_url: str, api_key: str) -> str:
    """Stable, non-reversible name for (base_url, key); safe to store and log."""
    return hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()[:32]


def margin_for(window: float, *, one_clock: bool = False) -> float:
    """The ceiling's slack past ``window``: clock skew between hosts, or rounding on one clock."""
    return ONE_CLOCK_MARGIN if one_clock else max(MIN_MARGIN, MARGIN_RATIO * window)


def compute_wait(done: Sequence[float], in_flight: int, now: float, limit: int, window: float,
                 blocked_until: float = 0.0, poll: float = POLL_SECONDS, margin: float | None = None) -> float:
    """Seconds until one more send fits a sliding window (0 = now), from a list of completion times.

    The same arithmetic as :func:`window_wait`, on plain data (documentation and tests).
    """
    if blocked_until > now:
        return blocked_until - now
    margin = margin_for(window) if margin is None else margin
    first = bisect.bisect_right(done, now - window - margin)
    recent = len(done) - first
    live = recent + in_flight
    if live < limit:
        return 0.0
    must_expire = live - limit + 1
    if must_expire <= recent:
        return max(0.0, done[first + must_expire - 1] + window + margin - now)
    return poll


def window_wait(view: PaceView, limit: int, window: float, poll: float, margin: float) -> float:
    """:func:`compute_wait` over the shared state's counts."""
    since = view.now - window - margin
    recent = view.done_since(since)
    live = recent + view.in_flight()
    if live < limit:
        return 0.0
    must_expire = live - limit + 1
    if must_expire <= recent:
        oldest = view.nth_done_since(since, must_expire)
        return max(0.0, (oldest or view.now) + window + margin - view.now)
    return poll


def server_wait(view: PaceView, fallback_window: float, poll: float) -> float:
    """Seconds until the server's last word allows one more send (0 = now)."""
    if view.srv_remaining is None or view.srv_basis_at is None:
        return 0.0
    reset = view.srv_reset if view.srv_reset is not None else view.srv_basis_at + fallback_window
    if view.now < reset:
        if view.srv_remaining - view.srv_sent > 0:
            return 0.0
        # answers in flight may report more room; otherwise the window is spent until its reset
        return poll if view.in_flight() else min(reset - view.now, MAX_BLOCK_SECONDS)
    # Reset has passed. A fixed window frees every slot at once; a sliding one frees the oldest request's
    # slot alone; the notes say neither. So until an answer from after the reset gives the new count, the
    # room is what the old estimate left plus the one slot a Reset frees (on a fixed window that costs
    # one answer's latency per window, which is spent waiting for the reset anyway).
    carried = max(0, view.srv_remaining - view.sends_before_reset()) + 1
    room = min(carried, view.srv_limit) if view.srv_limit is not None else carried
    if room - view.sends_in_new_window() > 0:
        return 0.0
    # nothing in flight and still no word from the new window (answers without headers): probe again,
    # one at a time, rather than wait for an answer that will never come
    return poll if view.in_flight() else 0.0


def answer_from_headers(headers: Mapping[str, str], now: float) -> ServerAnswer:
    def as_int(name: str) -> int | None:
        raw = retry.header(headers, name)
        try:
            value = int(float(raw)) if raw is not None else None
        except ValueError:
            return None
        return value if value is not None and value >= 0 else None

    reset_at, timestamp = retry.parse_reset_at(retry.header(headers, "X-RateLimit-Reset"), now)
    return ServerAnswer(as_int("X-RateLimit-Limit"), as_int("X-RateLimit-Remaining"), reset_at, reset_is_timestamp=timestamp)


class SharedPacer:
    """Cross-host limiter for one key; ``acquire()`` before a request, ``release()`` after.

    ``limit=None`` follows the server alone; a number is a ceiling on top of it.
    """

    def __init__(self, key_fp: str, limit: int | None, window: float, *, state_url: str | None = None,
                 state_dir: str | Path | None = None, stale_after: float = 300.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] | None = None) -> None:
        validation.rate_limit(limit)
        validation.seconds(window, "rate_window_seconds")
        self.key_fp = key_fp
        self.limit = limit
        self.window = float(window)
        self.stale_after = max(stale_after, self.window)
        self.clock = clock
        self._sleep = sleep
        self.poll = min(POLL_SECONDS, max(0.005, self.window / 50))
        engine = get_engine(state_url, state_dir)
        self.store = PaceStore(engine)
        # SQLite state lives on one machine, so every stamp in it comes from one clock
        self.one_clock = engine.dialect.name == "sqlite"
        self.margin = margin_for(self.window, one_clock=self.one_clock)
        # the window assumed for a server that sends no X-RateLimit-* headers, and its margin
        self.default_margin = margin_for(settings.DEFAULT_RATE_WINDOW_SECONDS, one_clock=self.one_clock)
        self._cancel = threading.Event()
        self._gate = threading.Lock()  # one thread of this process asks the shared state at a time
        self._pruned_at = 0.0

    @classmethod
    def for_key(cls, state_dir: str | Path | None, base_url: str, api_key: str, limit: int | None, window: float,
                **kwargs: Any) -> SharedPacer:
        return cls(key_fingerprint(base_url, api_key), limit, window, state_dir=state_dir, **kwargs)

    def __repr__(self) -> str:
        pace = f"{self.limit}/{self.window:g}s ceiling" if self.limit else "server's pace"
        return f"SharedPacer({pace}, key {self.key_fp[:8]})"

    # --- policy --------------------------------------------------------------------------------
    def _decide(self, view: PaceView) -> float:
        if view.blocked_until > view.now:
            return min(view.blocked_until - view.now, MAX_BLOCK_SECONDS)
        if not view.answered and view.in_flight():
            return self.poll  # start conservatively: one request until the server has spoken
        waits = [server_wait(view, self.window, self.poll)]
        if self.limit is not None:
            waits.append(window_wait(view, self.limit, self.window, self.poll, self.margin))
        elif view.answered and view.srv_limit is None:  # a server without X-RateLimit-* headers
            waits.append(window_wait(view, settings.DEFAULT_RATE_LIMIT, settings.DEFAULT_RATE_WINDOW_SECONDS,
                                     self.poll, self.default_margin))
        return max(waits)

    # --- public --------------------------------------------------------------------------------
    def acquire(self) -> int:
        """Block until a send is allowed, record it as in flight and return its token.

        One thread of this process at a time asks the shared state (the gate); the others queue
        behind it in memory. The decision is per key, not per thread, so letting every waiting thread
        poll the database only multiplied transactions: all woke at the same expiry, one won the slot
        and the rest queued again on the state's lock (about 3 transactions per send, tens of ms each
        under load, and every one of them delays the other hosts and this run's own ledger writes).
        """
        token = secrets.randbits(62)  # unique across hosts (pids are not: every container has pid 1)
        self._enter_gate()
        try:
            return self._take(token)
        finally:
            self._gate.release()

    def _take(self, token: int) -> int:
        waited, logged = 0.0, False
        while True:
            self._raise_if_cancelled()
            self._maybe_prune()
            wait = self.store.take(self.key_fp, token, self.clock, self._decide)
            if wait <= 0:
                if waited > 0.5:
                    log.info("pacer: waited %.2fs for a request slot", waited)
                return token
            if not logged and wait > 1.0:
                log.info("pacer: waiting %.2fs for a request slot on this key (%s)", wait, self)
                logged = True
            self._wait(wait)
            waited += wait

    def release(self, token: int, headers: Mapping[str, str] | None = None) -> None:
        """Re-stamp the send as done now; take the X-RateLimit-* headers of its answer, if any."""
        answer = answer_from_headers(headers, self.clock()) if headers is not None else None
        self.store.finish(self.key_fp, token, self.clock, answer)

    def block_for(self, seconds: float, reason: str) -> None:
        """Hold every sender sharing the key for ``seconds`` (e.g. after a 429)."""
        self.store.block(self.key_fp, self.clock() + min(seconds, MAX_BLOCK_SECONDS))
        log.debug("pacer: all senders on this key paused %.2fs (%s)", seconds, reason)

    def cancel(self) -> None:
        """Make every waiting and future ``acquire()`` of this pacer raise :class:`RunInterruptedError`."""
        self._cancel.set()

    def snapshot(self) -> dict[str, Any]:
        """The key's shared state (counts and the server's last word), for diagnostics and tests."""
        return self.store.snapshot(self.key_fp, self.clock())

    def close(self) -> None:
        """Nothing to release: connections belong to the per-process engine."""

    # --- mechanics -----------------------------------------------------------------------------
    def _enter_gate(self) -> None:
        """Queue for this process's turn to ask the shared state, noticing cancel() while queued."""
        while not self._gate.acquire(timeout=SLEEP_SLICE):
            self._raise_if_cancelled()

    def _raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise RunInterruptedError("interrupted while waiting for a request slot; no request sent")

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:  # injected clock (tests): no real time passes
            self._sleep(seconds)
            return
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self._cancel.wait(min(left, SLEEP_SLICE)):
                return

    def _maybe_prune(self) -> None:
        now = self.clock()
        if now - self._pruned_at >= PRUNE_EVERY or now < self._pruned_at:
            self._pruned_at = now
            # keep every send any rule still counts: the wider of the two windows plus the multi-host
            # margin (never the smaller one-clock margin), so pruning cannot free a slot early
            keep = max(self.window, settings.DEFAULT_RATE_WINDOW_SECONDS) + margin_for(self.window)
            self.store.prune(self.key_fp, now, keep, self.stale_after, cap_block_at=now + MAX_BLOCK_SECONDS)
