"""Every environment variable the project reads, in one place.

Why a module of names and defaults rather than values: nothing here reads the environment at import
time. Dagster resources read through ``EnvVar`` when a run starts, and the CLI reads through
:func:`env` when a command runs, so one process can point at the simulator in a test and at the real
API in production without re-importing anything.
"""

from __future__ import annotations

import os
from pathlib import Path

# The project root (the checkout holding ``tracked.yaml``, ``data/`` and ``dbt_project/``): relative
# lake and warehouse paths are taken relative to it, never to the current directory, so the writer,
# dbt and the CLI agree wherever a process starts.
PROJECT_ROOT = Path(__file__).resolve().parents[1]

# --- Scavio API -----------------------------------------------------------------------------------
SCAVIO_API_KEY = "SCAVIO_API_KEY"
SCAVIO_BASE_URL = "SCAVIO_BASE_URL"
DEFAULT_BASE_URL = "https://api.scavio.dev"
SCAVIO_TIMEOUT = "SCAVIO_TIMEOUT"  # seconds per request
SCAVIO_MAX_RETRIES = "SCAVIO_MAX_RETRIES"
SCAVIO_MAX_CONCURRENCY = "SCAVIO_MAX_CONCURRENCY"
SCAVIO_RATE_LIMIT = "SCAVIO_RATE_LIMIT"  # requests per window, per API key
SCAVIO_RATE_WINDOW_SECONDS = "SCAVIO_RATE_WINDOW_SECONDS"
# Scavio's "Rate limits" page gives 5-10 requests/minute by plan; the pace is a setting because the
# SDK claims up to 50/s. The conservative documented figure is the default.
DEFAULT_RATE_LIMIT = 10
DEFAULT_RATE_WINDOW_SECONDS = 60.0

# --- Shared state (per-key pace, budget reservations, request ledger): see tiktok_assets/state -----
TIKTOK_STATE_DIR = "TIKTOK_STATE_DIR"  # the default SQLite state lives here (one machine)
TIKTOK_STATE_URL = "TIKTOK_STATE_URL"  # a SQLAlchemy URL shared by every host, e.g. postgresql://...

# --- Lake, tracking, warehouse --------------------------------------------------------------------
TIKTOK_LAKE_URL = "TIKTOK_LAKE_URL"
DEFAULT_LAKE_URL = "data/lake"
TIKTOK_S3_ENDPOINT_URL = "TIKTOK_S3_ENDPOINT_URL"
TIKTOK_TRACKED_FILE = "TIKTOK_TRACKED_FILE"
DEFAULT_TRACKED_FILE = "tracked.yaml"
TIKTOK_WAREHOUSE = "TIKTOK_WAREHOUSE"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"

# --- Credit budget --------------------------------------------------------------------------------
TIKTOK_CREDIT_CAP_PER_RUN = "TIKTOK_CREDIT_CAP_PER_RUN"
TIKTOK_CREDIT_BUDGET_DAILY = "TIKTOK_CREDIT_BUDGET_DAILY"
TIKTOK_CREDIT_BUDGET_MONTHLY = "TIKTOK_CREDIT_BUDGET_MONTHLY"
TIKTOK_CREDIT_WARN_RATIO = "TIKTOK_CREDIT_WARN_RATIO"
TIKTOK_CREDIT_LOW_BALANCE = "TIKTOK_CREDIT_LOW_BALANCE"
TIKTOK_BILLING_CYCLE_DAY = "TIKTOK_BILLING_CYCLE_DAY"

# --- Console output of runs started from the command line (`materialize`, `make demo`) ------------
TIKTOK_LOG_LEVEL = "TIKTOK_LOG_LEVEL"
DEFAULT_LOG_LEVEL = "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env(name: str, default: str | None = None) -> str | None:
    """Read one variable now (never at import time); empty strings count as unset."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def log_level() -> str:
    """``TIKTOK_LOG_LEVEL`` (any case), checked here so a typo is one line naming the variable rather
    than a traceback from Dagster's logger set-up after the run was created."""
    value = (env(TIKTOK_LOG_LEVEL, DEFAULT_LOG_LEVEL) or DEFAULT_LOG_LEVEL).strip().upper()
    if value not in LOG_LEVELS:
        raise ValueError(f"{TIKTOK_LOG_LEVEL}={env(TIKTOK_LOG_LEVEL)!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
    return value


def console_log_run_config() -> dict[str, dict[str, object]]:
    """The run config that sets Dagster's console logger to :func:`log_level`.

    Why every in-process run from the command line takes it: Dagster's console logger defaults to
    DEBUG, which prints each step output and type check (about 360 lines for the demo's dbt build)
    around the progress lines (per asset and entity) that are INFO."""
    return {"loggers": {"console": {"config": {"log_level": log_level()}}}}


def state_dir() -> Path:
    """Where processes sharing one API key coordinate (rate limiter, budget reservations).

    It lives outside the repo checkout by default so that two checkouts, or the CLI and `dagster dev`,
    using the same key still share one pace.
    """
    configured = env(TIKTOK_STATE_DIR)
    base = Path(configured) if configured else Path(env("XDG_STATE_HOME", str(Path.home() / ".local" / "state"))) / "tiktok-assets"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"state folder {base} ({TIKTOK_STATE_DIR}) cannot be created: {exc.strerror or exc}") from None
    return base


def project_path(value: str | Path) -> str:
    """``value`` as an absolute, normalized path; a relative one is taken relative to :data:`PROJECT_ROOT`."""
    path = Path(value).expanduser()
    return os.path.normpath(path if path.is_absolute() else PROJECT_ROOT / path)


def resolve_lake_url(lake_url: str) -> str:
    """The one resolver of the lake location, used by the writer (``Lake``), dbt and the CLI.

    An object-store URL (``s3://bucket/prefix``) is kept, without a trailing ``/``; a local folder,
    also as ``file://...``, becomes an absolute path (relative = relative to :data:`PROJECT_ROOT`).
    """
    value = (lake_url or "").strip()
    if not value:
        raise ValueError(f"lake URL is empty; set {TIKTOK_LAKE_URL} or pass a path")
    for local in ("file://", "local://"):
        if value.startswith(local):
            return project_path(value[len(local):])
    if "://" in value:
        return value.rstrip("/")
    return project_path(value)


def lake_url() -> str:
    """The lake in force now: ``TIKTOK_LAKE_URL`` (default ``data/lake``), resolved."""
    return resolve_lake_url(env(TIKTOK_LAKE_URL, DEFAULT_LAKE_URL) or "")


def resolve_warehouse(warehouse: str) -> str:
    """The DuckDB file as an absolute path (relative = relative to :data:`PROJECT_ROOT`); ``:memory:`` kept."""
    value = (warehouse or "").strip()
    if not value:
        raise ValueError(f"warehouse path is empty; set {TIKTOK_WAREHOUSE} or pass a path")
    return value if value == ":memory:" else project_path(value)
