"""Client settings from the documented environment variables (read when called, never at import).

Why its own module: the CLI, benchmarks and worker processes build a client without importing Dagster
(seconds of import time), while ``ScavioResource.from_env`` reuses the very same parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import settings
from . import validation

ENV_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "base_url": (settings.SCAVIO_BASE_URL, str),
    "timeout": (settings.SCAVIO_TIMEOUT, float),
    "max_retries": (settings.SCAVIO_MAX_RETRIES, int),
    "max_concurrency": (settings.SCAVIO_MAX_CONCURRENCY, int),
    "rate_limit": (settings.SCAVIO_RATE_LIMIT, int),
    "rate_window_seconds": (settings.SCAVIO_RATE_WINDOW_SECONDS, float),
    "credit_cap_per_run": (settings.TIKTOK_CREDIT_CAP_PER_RUN, int),
    "state_dir": (settings.TIKTOK_STATE_DIR, str),
}


def optional_settings_from_env() -> dict[str, Any]:
    """Every optional client setting whose variable is set, converted and range-checked (no key).

    Raises ``ValueError`` naming the variable on a bad value: the CLI prints it before the run exists,
    and the code location fails to load with it, instead of every run failing its first step."""
    values: dict[str, Any] = {}
    for field, (var, convert) in ENV_FIELDS.items():
        raw = settings.env(var)
        if raw is not None:
            try:
                value = convert(raw)
            except ValueError:
                raise ValueError(f"{var}={raw!r} is not a valid {convert.__name__}") from None
            check = validation.CLIENT_SETTING_CHECKS.get(field, lambda v: v)  # state_dir: checked when used
            try:  # the client's own range check, here so the variable is named before any run exists
                values[field] = check(value)
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r}: {exc}") from None
    return values


def settings_from_env(**overrides: Any) -> dict[str, Any]:
    """``api_key`` plus every variable that is set, converted; ``overrides`` win. Raises on bad values."""
    values = optional_settings_from_env()
    key = settings.env(settings.SCAVIO_API_KEY)
    if key is not None:
        values["api_key"] = key
    values.update(overrides)
    if not values.get("api_key"):
        raise ValueError(f"{settings.SCAVIO_API_KEY} is not set: export your Scavio API key "
                         "(or point SCAVIO_BASE_URL at the simulator and use its key)")
    return values
