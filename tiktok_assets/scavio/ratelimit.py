"""A request pacer shared by every thread and process that uses one API key on this machine.

Why a file: the rate limit belongs to the key, not to the process, so the CLI, ``dagster dev`` and a
backfill running side by side must share one count. The state is a small file in ``state_dir``
named by a sha256 fingerprint of (base_url, api_key) — never the key — and guarded by ``fcntl.flock``
(plus a thread lock, because flock is per open file, not per thread). It holds:

- a sliding-window log: at most ``limit`` requests in any ``window`` (+ a safety margin of
  max(20 ms, 2% of the window)). Each entry is written when a request is about to be sent and is
  *re-stamped when its response arrives*; until then it counts as in flight. The completion time is
  an upper bound of when the server saw the request, so network and scheduling jitter can never make
  two requests look further apart to us than they were to the server;
- ``blocked_until``: set by any process that sees ``X-RateLimit-Remaining: 0`` (until
  ``X-RateLimit-Reset``) or a 429 (until its retry time), and honoured by all.

Waiting happens outside both locks. The file is a compact binary record (a header, the done times
as doubles, the in-flight tokens and times), so an acquire stays in the tens of microseconds even
with hundreds of requests inside the window (benchmarks run the simulator at hundreds per second).
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import itertools
import logging
import os
import struct
import threading
import time
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import retry

log = logging.getLogger("tiktok_assets.scavio")

MIN_MARGIN = 0.02
# No server-requested pause is honoured beyond this (the requester raises past 300 s), so a larger
# one in the shared state can only come from a clock that stepped backwards.
MAX_BLOCK_SECONDS = 300.0
MARGIN_RATIO = 0.02
_counter = itertools.count()


def key_fingerprint(base_url: str, api_key: str) -> str:
    """Stable, non-reversible name for (base_url, key); safe to put in file names and logs."""
    return hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()[:32]


def margin_for(window: float) -> float:
    return max(MIN_MARGIN, MARGIN_RATIO * window)


def compute_wait(done: Sequence[float], in_flight: int, now: float, limit: int, window: float,
                 blocked_until: float = 0.0, poll: float = 0.02) -> float:
    """Seconds until one more request may be sent (0 = now). Pure: the limiter's whole arithmetic.

    ``done`` are completion times of finished requests, ascending; they count while
    ``t > now - window - margin``. The ``in_flight`` requests count as inside the window. When the
    window is full of in-flight requests only, the answer is ``poll`` (their completion is unknown).
    """
    if blocked_until > now:
        return blocked_until - now
    margin = margin_for(window)
    first = bisect.bisect_right(done, now - window - margin)
    recent = len(done) - first
    live = recent + in_flight
    if live < limit:
        return 0.0
    must_expire = live - limit + 1
    if must_expire <= recent:
        return max(0.0, done[first + must_expire - 1] + window + margin - now)
    return poll


_MAGIC = b"TPC1"
_HEAD = struct.Struct("<4sdII")  # magic, blocked_until, number of done times, number of in-flight entries


@dataclass
class PacerState:
    blocked_until: float = 0.0
    done: list[float] = field(default_factory=list)
    in_flight: dict[int, float] = field(default_factory=dict)  # token -> time the slot was taken

    def to_bytes(self) -> bytes:
        tokens = array("Q", self.in_flight.keys())
        return (_HEAD.pack(_MAGIC, self.blocked_until, len(self.done), len(tokens)) + array("d", self.done).tobytes()
                + tokens.tobytes() + array("d", self.in_flight.values()).tobytes())

    @classmethod
    def from_bytes(cls, raw: bytes) -> PacerState:
        if not raw:
            return cls()
        magic, blocked, n_done, n_flight = _HEAD.unpack_from(raw)
        if magic != _MAGIC or len(raw) != _HEAD.size + 8 * n_done + 16 * n_flight:
            raise ValueError("not a pacer state file")
        offset = _HEAD.size
        done, tokens, times = array("d"), array("Q"), array("d")
        done.frombytes(raw[offset: offset + 8 * n_done])
        offset += 8 * n_done
        tokens.frombytes(raw[offset: offset + 8 * n_flight])
        times.frombytes(raw[offset + 8 * n_flight:])
        return cls(blocked, sorted(done.tolist()), dict(zip(tokens.tolist(), times.tolist())))


class SharedPacer:
    """Cross-process sliding-window limiter; ``acquire()`` before a request, ``release()`` after."""

    def __init__(self, path: str | Path, limit: int, window: float, *, stale_after: float = 300.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        if limit < 1:
            raise ValueError(f"rate_limit must be >= 1, got {limit}")
        if window <= 0:
            raise ValueError(f"rate_window_seconds must be > 0, got {window}")
        self.path = Path(path)
        self.limit = limit
        self.window = float(window)
        self.stale_after = max(stale_after, self.window)
        self.clock = clock
        self.sleep = sleep
        self.poll = min(0.05, max(0.005, self.window / 50))
        self._tlock = threading.Lock()
        self._fd: int | None = None
        self._pid = -1

    @classmethod
    def for_key(cls, state_dir: str | Path, base_url: str, api_key: str, limit: int, window: float,
                **kwargs: Any) -> SharedPacer:
        return cls(Path(state_dir) / f"ratelimit-{key_fingerprint(base_url, api_key)}.bin", limit, window, **kwargs)

    def __repr__(self) -> str:
        return f"SharedPacer({self.limit}/{self.window:g}s, {self.path.name})"

    # --- file state ----------------------------------------------------------------------------
    def _open(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child must not share the parent's lock
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def _update(self, change: Callable[[PacerState, float], Any]) -> Any:
        """Run ``change(state, now)`` under both locks and write the state back."""
        with self._tlock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                try:
                    state = PacerState.from_bytes(os.pread(fd, size, 0) if size else b"")
                except (ValueError, struct.error):
                    log.warning("rate limiter state %s was unreadable; starting it afresh", self.path.name)
                    state = PacerState()
                now = self.clock()
                # The wall clock can step backwards (NTP correction, a VM restore): stamps "from the
                # future" would otherwise hold the window shut for the size of the jump.
                future = now + margin_for(self.window)
                state.done = [t for t in state.done if t <= future]
                state.blocked_until = min(state.blocked_until, now + MAX_BLOCK_SECONDS)
                horizon = now - self.window - margin_for(self.window)
                keep = max(bisect.bisect_right(state.done, horizon), len(state.done) - self.limit)
                state.done = state.done[keep:]  # ascending; only the newest `limit` can matter
                state.in_flight = {k: t for k, t in state.in_flight.items() if t > now - self.stale_after}
                result = change(state, now)
                payload = state.to_bytes()
                os.pwrite(fd, payload, 0)
                os.ftruncate(fd, len(payload))
                return result
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    # --- public --------------------------------------------------------------------------------
    def acquire(self) -> int:
        """Block until a send is allowed, record it as in flight and return its token."""
        token = (os.getpid() << 32) | (next(_counter) & 0xFFFFFFFF)
        waited, reason_logged = 0.0, False
        while True:
            def take(state: PacerState, now: float) -> tuple[float, str]:
                wait = compute_wait(state.done, len(state.in_flight), now, self.limit, self.window,
                                    state.blocked_until, self.poll)
                if wait <= 0:
                    state.in_flight[token] = now
                return wait, ("blocked by the server" if state.blocked_until > now else "window full")

            wait, why = self._update(take)
            if wait <= 0:
                if waited > 0.5:
                    log.info("pacer: waited %.2fs for a request slot (%s)", waited, why)
                return token
            if not reason_logged and wait > 1.0:
                log.info("pacer: waiting %.2fs for a request slot (%s, %d per %gs)", wait, why, self.limit, self.window)
                reason_logged = True
            self.sleep(wait)
            waited += wait

    def release(self, token: int, headers: Mapping[str, str] | None = None) -> None:
        """Re-stamp the request as done now, and adapt to the X-RateLimit-* headers if given."""
        block = self._block_from_headers(headers) if headers is not None else None

        def done(state: PacerState, now: float) -> None:
            if state.in_flight.pop(token, None) is not None:
                bisect.insort(state.done, now)  # keeps the list ascending even if clocks disagree
            if block is not None:
                state.blocked_until = max(state.blocked_until, now + block)

        self._update(done)

    def block_for(self, seconds: float, reason: str) -> None:
        """Hold every process sharing the key for ``seconds`` (e.g. after a 429)."""
        def block(state: PacerState, now: float) -> None:
            state.blocked_until = max(state.blocked_until, now + seconds)

        self._update(block)
        log.debug("pacer: all senders on this key paused %.2fs (%s)", seconds, reason)

    def _block_from_headers(self, headers: Mapping[str, str]) -> float | None:
        limit = retry.header(headers, "X-RateLimit-Limit")
        if limit is not None:
            try:
                server_limit = int(float(limit))
            except ValueError:
                server_limit = 0
            if 0 < server_limit < self.limit:
                log.info("pacer: server reports X-RateLimit-Limit=%d, below the configured %d; using it",
                         server_limit, self.limit)
                self.limit = server_limit
        remaining = retry.header(headers, "X-RateLimit-Remaining")
        if remaining is None or remaining.strip() not in ("0", "0.0"):
            return None
        delay = retry.parse_reset(retry.header(headers, "X-RateLimit-Reset"), self.clock())
        if delay is None:
            return None
        return min(delay, self.window + 5.0)  # a skewed clock must not freeze the run

    def snapshot(self) -> PacerState:
        """A consistent copy of the shared state (read under the lock), for diagnostics and tests."""
        return self._update(lambda state, now: PacerState(state.blocked_until, list(state.done), dict(state.in_flight)))

    def close(self) -> None:
        with self._tlock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None
