"""The platform around the data: credits, the per-key rate limit, injected faults, and statistics.

Why one lock per concern and plain counters: handler threads touch these on every request, and the
throughput target (>= 500 req/s on loopback) leaves no room for anything heavier.
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Any

UNLIMITED = 1_000_000  # the X-RateLimit-Limit sent when no limit is configured


class Credits:
    """Balance with reserve/refund so concurrent requests can never overspend it."""

    def __init__(self, balance: int) -> None:
        self._lock = threading.Lock()
        self.balance = balance

    def reserve(self) -> bool:
        with self._lock:
            if self.balance <= 0:
                return False
            self.balance -= 1
            return True

    def refund(self) -> None:
        with self._lock:
            self.balance += 1

    def set(self, balance: int) -> None:
        with self._lock:
            self.balance = balance


@dataclass(frozen=True)
class Window:
    limit: int
    remaining: int
    reset: float  # unix seconds, end of the current window

    def headers(self) -> dict[str, str]:
        reset = f"{self.reset:.3f}".rstrip("0").rstrip(".")
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(max(0, self.remaining)),
                "X-RateLimit-Reset": reset}


class RateLimiter:
    """Fixed windows of ``window`` seconds aligned to epoch multiples, counted per key fingerprint.

    ``announced`` is the limit the headers state (``Remaining`` counts down from it) when it differs
    from the enforced ``limit``: a server whose headers over- or under-promise.
    """

    def __init__(self, limit: int | None, window: float, announced: int | None = None) -> None:
        self.limit, self.window, self.announced = limit, window, announced
        self._lock = threading.Lock()
        self._used: dict[str, tuple[float, int]] = {}

    def _bounds(self, now: float) -> tuple[float, float]:
        start = math.floor(now / self.window) * self.window
        return start, start + self.window

    def peek(self, key: str, now: float) -> Window:
        start, end = self._bounds(now)
        with self._lock:
            w_start, used = self._used.get(key, (start, 0))
        used = used if w_start == start else 0
        limit = self.announced or self.limit or UNLIMITED
        return Window(limit, limit - used, end)

    def admit(self, key: str, now: float) -> tuple[bool, Window]:
        """Count one request against the key's window; a refused request is not counted."""
        start, end = self._bounds(now)
        limit = self.announced or self.limit or UNLIMITED
        with self._lock:
            w_start, used = self._used.get(key, (start, 0))
            if w_start != start:
                used = 0
            if self.limit is not None and used >= self.limit:
                return False, Window(limit, 0, end)
            self._used[key] = (start, used + 1)
            return True, Window(limit, limit - used - 1, end)

    def reset(self) -> None:
        with self._lock:
            self._used.clear()


class SlidingRateLimiter:
    """At most ``limit`` requests in any ``window`` seconds (a sliding log of arrivals) per key fingerprint.

    Why it exists: the reference and the platform notes do not say whether the rate window is fixed or
    sliding, so the simulator serves both. Here ``X-RateLimit-Reset`` is when the oldest counted arrival
    leaves the window, the moment *one* slot frees: a client that reads a passed Reset as a whole new
    window of ``Limit`` requests meets 429s. Same interface as :class:`RateLimiter`.
    """

    def __init__(self, limit: int | None, window: float, announced: int | None = None) -> None:
        self.limit, self.window, self.announced = limit, window, announced
        self._lock = threading.Lock()
        self._arrivals: dict[str, deque[float]] = defaultdict(deque)

    def _window(self, log: deque[float], now: float, used: int) -> Window:
        limit = self.announced or self.limit or UNLIMITED
        return Window(limit, limit - used, (log[0] if log else now) + self.window)

    def _live(self, key: str, now: float) -> deque[float]:
        log = self._arrivals[key]
        while log and log[0] <= now - self.window:
            log.popleft()
        return log

    def peek(self, key: str, now: float) -> Window:
        with self._lock:
            log = self._live(key, now)
            return self._window(log, now, len(log))

    def admit(self, key: str, now: float) -> tuple[bool, Window]:
        """Count one arrival unless ``limit`` arrivals are already inside the last ``window`` seconds."""
        with self._lock:
            log = self._live(key, now)
            if self.limit is not None and len(log) >= self.limit:
                return False, self._window(log, now, self.limit)
            if self.limit is not None:
                log.append(now)
            return True, self._window(log, now, len(log))

    def reset(self) -> None:
        with self._lock:
            self._arrivals.clear()


def make_rate_limiter(kind: str, limit: int | None, window: float,
                      announced: int | None = None) -> RateLimiter | SlidingRateLimiter:
    """The limiter of a ``rate_window_kind`` (``config.RATE_WINDOW_KINDS``)."""
    return (SlidingRateLimiter if kind == "sliding" else RateLimiter)(limit, window, announced)


class Faults:
    """Scripted faults (consumed in order by the next API requests) and seeded random ones."""

    def __init__(self, seed: int, rate_429: float, rate_502: float, malformed_rate: float) -> None:
        self._lock = threading.Lock()
        self._queue: deque[dict[str, Any]] = deque()
        self._rng = random.Random(f"{seed}:faults")
        self.rates = (rate_429, rate_502, malformed_rate)

    def enqueue(self, faults: list[dict[str, Any]]) -> None:
        for f in faults:
            if not isinstance(f, dict) or not ({"status", "malformed", "delay_ms", "disconnect"} & f.keys()):
                raise ValueError(f"a fault must be an object with status, malformed, delay_ms or disconnect: {f!r}")
            if f.get("malformed") not in (None, "not_json", "no_data", "truncated"):
                raise ValueError(f"fault 'malformed' must be not_json, no_data or truncated: {f!r}")
        with self._lock:
            self._queue.extend(dict(f) for f in faults)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> int:
        return len(self._queue)

    def next_scripted(self) -> dict[str, Any] | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def next_random(self) -> dict[str, Any] | None:
        r429, r502, rbad = self.rates
        if not (r429 or r502 or rbad):
            return None
        with self._lock:
            roll, kind = self._rng.random(), self._rng.random()
        if roll < r429:
            return {"status": 429, "random": True}
        if roll < r429 + r502:
            return {"status": 502}
        if roll < r429 + r502 + rbad:
            return {"malformed": "not_json" if kind < 0.5 else "no_data"}
        return None


class Stats:
    """Counters behind ``sim.stats()`` plus the request log used for pace assertions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock if hasattr(self, "requests") else _NoLock():
            self.requests: Counter[str] = Counter()
            self.by_key: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self.status: Counter[int] = Counter()
            self.charged = 0
            self.log: list[tuple[float, str, int, dict[str, Any]]] = []

    def record(self, endpoint: str, key_fp: str, status: int, params: dict[str, Any], charged: bool,
               arrived: float) -> None:
        """Count one answered request; the log keeps its *arrival* time (``arrived``, unix seconds), the
        instant the rate limiter counted it, so a log bucketed by window matches the server's windows
        even when the answer took a while (latency, a loaded machine)."""
        with self._lock:
            self.requests[endpoint] += 1
            self.by_key[key_fp][endpoint] += 1
            self.status[status] += 1
            self.charged += int(charged)
            self.log.append((arrived, endpoint, status, params))

    def snapshot(self, credits_remaining: int) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self.requests), "by_key": {k: dict(v) for k, v in self.by_key.items()},
                    "status": dict(self.status), "charged": self.charged, "credits_remaining": credits_remaining}


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
