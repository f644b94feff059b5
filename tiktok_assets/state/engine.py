"""Where the shared state lives, and the one way to change it: a transaction holding a named lock.

URL resolution: an explicit URL, else ``TIKTOK_STATE_URL``, else ``sqlite:///<TIKTOK_STATE_DIR>/state.sqlite``.
A bare ``postgresql://`` resolves under SQLAlchemy 2.1 to psycopg 3, which the pinned stack does not
install; it is rewritten to ``postgresql+psycopg2://`` (the driver dagster-postgres uses) when
psycopg 3 is absent, so the same URL as the Dagster instance works as written.

Locking: on PostgreSQL a transaction-scoped advisory lock (``pg_advisory_xact_lock``) per name: it is
released by COMMIT/ROLLBACK, and by the server when a pod dies, and it is safe behind PgBouncer in
transaction mode. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one writer at a
time across processes, taken *before* the read that decides). No file locks on either path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from .. import settings
from .tables import metadata

SQLITE_FILE = "state.sqlite"


class StateUnavailableError(RuntimeError):
    """The shared state cannot be used (a malformed URL, an unknown driver, a server that refuses).

    One line naming ``TIKTOK_STATE_URL`` (password masked) and the cause: nothing is sent to the API
    without the state, because the pace and the budget live there.
    """
_ENGINES: dict[tuple[int, str], Engine] = {}
_LOCK = threading.Lock()


def resolve_url(url: str | None = None, state_dir: str | Path | None = None) -> str:
    """The state URL to use: ``url`` > ``TIKTOK_STATE_URL`` > SQLite under ``state_dir``/``TIKTOK_STATE_DIR``."""
    chosen = url or settings.env(settings.TIKTOK_STATE_URL)
    if not chosen:
        base = Path(state_dir) if state_dir is not None else settings.state_dir()
        base.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{base / SQLITE_FILE}"
    try:
        parsed = make_url(chosen)
    except ArgumentError:
        raise StateUnavailableError(f"{settings.TIKTOK_STATE_URL} is not a database URL (expected e.g. "
                                    "postgresql://user:password@host:5432/db)") from None
    if parsed.drivername in ("postgresql", "postgres") and importlib.util.find_spec("psycopg") is None:
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def describe(url: str) -> str:
    """The URL with its password masked, for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is deferred)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _use_wal(cursor: Any, attempts: int = 50) -> None:
    """Switch the file to WAL (persistent: later connections find it set and skip the switch).

    Why a retry: the switch needs the file to itself, and SQLite answers "database is locked" at once,
    without its busy handler, while another host's connection holds a lock, as when two hosts open a new
    state file together and one is already creating the schema.
    """
    for attempt in range(attempts):
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def get_engine(url: str | None = None, state_dir: str | Path | None = None) -> Engine:
    """One engine per (process, URL), with the schema created on first use.

    Per process because a forked child must not reuse its parent's pooled connections.
    """
    resolved = resolve_url(url, state_dir)
    cache_key = (os.getpid(), resolved)
    with _LOCK:
        engine = _ENGINES.get(cache_key)
        if engine is None:
            try:
                if resolved.startswith("sqlite"):
                    Path(make_url(resolved).database or SQLITE_FILE).parent.mkdir(parents=True, exist_ok=True)
                    engine = create_engine(resolved, connect_args={"timeout": 30})
                    _configure_sqlite(engine)
                else:
                    pg = make_url(resolved).get_backend_name() == "postgresql"
                    engine = create_engine(resolved, pool_pre_ping=True, pool_size=8, max_overflow=8,
                                           connect_args={"connect_timeout": 10} if pg else {})
                with locked(engine, "schema") as conn:
                    metadata.create_all(conn)
            except (NoSuchModuleError, ArgumentError, DBAPIError, ImportError, OSError) as exc:
                cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise StateUnavailableError(f"shared state {describe(resolved)} (TIKTOK_STATE_URL / TIKTOK_STATE_DIR) "
                                            f"is unavailable: {cause}") from None
            _ENGINES[cache_key] = engine
        return engine


def lock_id(name: str) -> int:
    """A signed 64-bit advisory-lock id for ``name`` (PostgreSQL's ``bigint`` key)."""
    return int.from_bytes(hashlib.sha256(f"tiktok-assets:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def locked(engine: Engine, name: str) -> Iterator[Connection]:
    """A write transaction that holds the lock ``name`` until it commits (or rolls back)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(name)})
        yield conn


def dispose_all() -> None:
    """Close every pooled connection of this process (tests, and before a fork)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
