"""The CLI's Dagster instance: which ``DAGSTER_HOME``, its ``dagster.yaml``, and a safe first start.

Why a lock around the first ``DagsterInstance``: on a fresh ``DAGSTER_HOME`` the SQLite storages
create their tables when the instance first opens them, and two ``tiktok-assets materialize``
started together both run ``CREATE TABLE runs`` and crash (``table runs already exists``). Dagster
offers no public guard for this, so the CLI holds an exclusive ``flock`` on a file in the home while
it opens the instance and touches every storage; the second process then finds the tables made.
The lock is held only for that set-up, never during a run, so concurrent runs stay concurrent.

Why the CLI writes ``dagster.yaml`` when it is absent (never over an existing one): without it
Dagster warns on every command that no instance configuration file was found, so a run that went
fine reads as if something was wrong. The file's content is the project's one instance default
(:mod:`tiktok_assets.instance_home`).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..instance_home import DEFAULT_HOME_DIR, ensure_dagster_home

LOCK_FILE = ".tiktok-assets-instance.lock"


def prepare_dagster_home() -> str | None:
    """Point ``DAGSTER_HOME`` at an existing folder holding a ``dagster.yaml``; returns a notice or None.

    Unset: ``./.dagster_home``. Set to a folder that does not exist yet: it is created (Dagster
    would refuse with a traceback), and the notice says so. A path that cannot be such a folder
    raises ``ValueError`` naming it.
    """
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured).expanduser() if configured else Path(DEFAULT_HOME_DIR)
    home = home.resolve()
    existed = home.is_dir()
    try:
        ensure_dagster_home(home)
    except OSError as exc:  # a file in the way, no permission: one line naming the variable
        raise ValueError(f"DAGSTER_HOME {home} cannot hold the Dagster instance: {exc.strerror or exc}") from None
    os.environ["DAGSTER_HOME"] = str(home)
    if not configured:
        return f"DAGSTER_HOME is not set; using {home} (runs show in `dagster dev` started with the same DAGSTER_HOME)"
    return None if existed else f"created DAGSTER_HOME {home}"


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def open_instance() -> Any:
    """``DagsterInstance.get()`` with its storages created under an inter-process lock (see above)."""
    from dagster import DagsterInstance

    prepare_dagster_home()  # idempotent; callers of materialize() other than the CLI (demo, tests)
    home = Path(os.environ["DAGSTER_HOME"])
    with _exclusive(home / LOCK_FILE):
        instance = DagsterInstance.get()
        # touch each storage now, inside the lock: SQLite storages create their tables on first use
        instance.get_runs(limit=1)
        _ = instance.event_log_storage, instance.schedule_storage
    return instance
