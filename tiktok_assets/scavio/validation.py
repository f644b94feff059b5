"""Parameter checks that run before any request, so a bad value never costs a credit.

Every failure is a ``ValueError`` whose message starts with the parameter name, because the caller
(an asset fanning out over tracked entities) reports it as that entity's error.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

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
