"""How long to wait before retrying, as pure functions of the response (no sleeping, no I/O).

Order for a 429, most authoritative first: ``Retry-After`` (seconds or an HTTP-date), then
``X-RateLimit-Reset`` (a unix timestamp, possibly fractional; a small number is read as seconds from
now), then "Retry after N seconds" in the error message, then exponential backoff with full jitter.
5xx, timeouts and connection errors use the backoff alone. The backoff constants are those of the
official Scavio SDK (0.5 s base, 8 s cap). The ``reason`` travels into the log line, so an operator
(and the tests) can see which signal set the wait.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RESET_MARGIN = 0.02  # arrive just after the reset, not just before it
_EPOCH_THRESHOLD = 1e9  # X-RateLimit-Reset below this is "seconds from now", above it a unix time
_MESSAGE_RE = re.compile(r"retry\s+(?:after|in)\s+(\d+(?:\.\d+)?)\s*(?:s\b|sec|second)", re.IGNORECASE)

RETRY_AFTER = "Retry-After"
RATELIMIT_RESET = "X-RateLimit-Reset"
MESSAGE = "error message"
BACKOFF = "backoff"


@dataclass(frozen=True)
class Wait:
    seconds: float
    reason: str  # one of RETRY_AFTER, RATELIMIT_RESET, MESSAGE, BACKOFF


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on plain dicts (tests) and httpx.Headers alike."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (unix seconds, may be fractional); None if unusable."""
    at, _timestamp = parse_reset_at(value, now)
    return None if at is None else max(RESET_MARGIN, at - now)


def parse_reset_at(value: str | None, now: float) -> tuple[float | None, bool]:
    """When ``X-RateLimit-Reset`` says the count frees (unix seconds, ``RESET_MARGIN`` included), and
    whether the header gave it as a unix time.

    Why the flag: a unix time is the server's own clock, so two answers from one server moment carry
    the same value and a later Reset means a later count (the pacer orders answers by it, see
    :mod:`tiktok_assets.state.pace`). "Seconds from now" is read against our receive time, which network
    jitter moves. A unix time is not clamped to ``now`` here: a Reset already passed is simply passed.
    """
    if value is None:
        return None, False
    try:
        reset = float(value.strip())
    except ValueError:
        return None, False
    if not 0 <= reset < math.inf:  # NaN, negative or infinite
        return None, False
    if reset < _EPOCH_THRESHOLD:
        return now + reset + RESET_MARGIN, False
    return reset + RESET_MARGIN, True


def parse_message(message: str | None) -> float | None:
    """Seconds from a message such as "Rate limit exceeded. Retry after 30 seconds."."""
    if not message:
        return None
    match = _MESSAGE_RE.search(message)
    return float(match.group(1)) if match else None


def backoff(attempt: int, rng: Callable[[], float] = random.random,
            base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)); ``attempt`` counts from 0."""
    return rng() * min(cap, base * (2 ** max(0, attempt)))


def wait_for_rate_limit(headers: Mapping[str, str], message: str | None, attempt: int, now: float,
                        rng: Callable[[], float] = random.random) -> Wait:
    """The wait after a 429."""
    seconds = parse_retry_after(header(headers, "Retry-After"), now)
    if seconds is not None:
        return Wait(seconds, RETRY_AFTER)
    seconds = parse_reset(header(headers, "X-RateLimit-Reset"), now)
    if seconds is not None:
        return Wait(seconds, RATELIMIT_RESET)
    seconds = parse_message(message)
    if seconds is not None:
        return Wait(seconds, MESSAGE)
    return Wait(backoff(attempt, rng), BACKOFF)


def wait_for_transient(attempt: int, rng: Callable[[], float] = random.random) -> Wait:
    """The wait after a 5xx, a timeout or a dropped connection."""
    return Wait(backoff(attempt, rng), BACKOFF)
