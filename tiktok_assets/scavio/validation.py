"""Parameter checks that run before any request, so a bad value never costs a credit.

Every failure is a ``ValueError`` whose message starts with the parameter name, because the caller
(an asset fanning out over tracked entities) reports it as that entity's error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

from .. import settings

KEYWORD_MAX = 500
SORT_TYPES = ("0", "1")
PUBLISH_TIMES = ("0", "1", "7", "30", "90", "180")


def count(value: Any, low: int, high: int, name: str = "count") -> int:
    """An int within [low, high]; bool is rejected even though it is an int subclass."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer between {low} and {high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def identifier(value: Any, name: str) -> str:
    """A non-empty id or name (strings only: ids are 19-digit and lose precision as numbers)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a non-empty string, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def keyword(value: Any, name: str = "keyword") -> str:
    """A search query of 1-500 characters that is not only whitespace."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string of 1-{KEYWORD_MAX} characters, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must be 1-{KEYWORD_MAX} characters and not blank, got {value!r}")
    if len(value) > KEYWORD_MAX:
        raise ValueError(f"{name} must be at most {KEYWORD_MAX} characters, got {len(value)}")
    return value


def choice(value: Any, allowed: Collection[str], name: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def exactly_one(first: tuple[str, Any], second: tuple[str, Any]) -> tuple[str, str]:
    """Exactly one of two alternatives (e.g. username / sec_user_id); returns (name, value)."""
    given = [(n, v) for n, v in (first, second) if v is not None]
    if len(given) != 1:
        raise ValueError(f"pass exactly one of {first[0]} or {second[0]} (got {len(given)})")
    name, value = given[0]
    return name, identifier(value, name)


def limit(value: Any, name: str) -> int | None:
    """Optional max_pages / max_items: None or a positive int."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be None or an integer >= 1, got {value!r}")
    return value


# --- Client settings (SCAVIO_* and TIKTOK_CREDIT_CAP_PER_RUN) -------------------------------------
# Checked where they are used (the client, the pacer, the run cap) and, through
# ``CLIENT_SETTING_CHECKS``, where they are read from the environment, so a bad value is refused
# before a run exists (the CLI's preflight, the code location's load) with the variable named,
# rather than failing every run's first step.

def seconds(value: float, name: str) -> float:
    """A finite number of seconds > 0 (NaN and infinity are refused: neither is a timeout)."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be > 0 seconds, got {value}")
    return value


def base_url(value: str) -> str:
    """An absolute http(s) URL with a host: anything else would fail every request, after retries."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL such as {settings.DEFAULT_BASE_URL}, got {value!r}")
    return value


def rate_limit(value: int | None) -> int | None:
    """Requests per window per key: None (follow the server's headers alone) or >= 1."""
    if value is not None and value < 1:
        raise ValueError(f"rate_limit must be >= 1 (or unset to follow the server), got {value}")
    return value


def credit_cap(value: int | None) -> int | None:
    """Credits one run may spend: None (unlimited, still counted) or >= 0."""
    if value is not None and (isinstance(value, bool) or value < 0):
        raise ValueError(f"credit_cap_per_run must be None or >= 0, got {value!r}")
    return value


CLIENT_SETTING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "base_url": base_url,
    "timeout": lambda v: seconds(v, "timeout"),
    "max_retries": lambda v: count(v, 0, 100, "max_retries"),
    "max_concurrency": lambda v: count(v, 1, 256, "max_concurrency"),
    "rate_limit": rate_limit,
    "rate_window_seconds": lambda v: seconds(v, "rate_window_seconds"),
    "credit_cap_per_run": credit_cap,
}


def client_settings(**values: Any) -> dict[str, Any]:
    """Each named client setting through its check in :data:`CLIENT_SETTING_CHECKS`."""
    return {name: CLIENT_SETTING_CHECKS[name](value) for name, value in values.items()}
