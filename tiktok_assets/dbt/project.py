"""The dbt project handle, and the environment every dbt invocation gets.

Why its own module: ``dagster-dbt project prepare-and-package --file`` must import the ``DbtProject``
without importing ``@dbt_assets`` (which needs the manifest that command builds).

Paths: dbt runs with cwd = ``dbt_project/`` (DbtCliResource does ``cwd=project_dir``), so relative
paths in the profile would resolve against that folder. Rather than make the SQL guess, the Python
side always hands dbt absolute values (:func:`dbt_env`); a relative ``TIKTOK_LAKE_URL`` or
``TIKTOK_WAREHOUSE`` is taken relative to the project root by the same resolvers the writer and the
CLI use (:func:`tiktok_assets.settings.resolve_lake_url`, :func:`~tiktok_assets.settings.resolve_warehouse`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtProject

from tiktok_assets import settings
from tiktok_assets.settings import resolve_lake_url, resolve_warehouse

__all__ = ["DBT_PROJECT_DIR", "REPO_ROOT", "dbt_env", "ensure_warehouse_dir", "patched_environ",
           "resolve_lake_url", "resolve_warehouse", "tiktok_dbt_project"]

REPO_ROOT = settings.PROJECT_ROOT
# Read when the module loads (``@dbt_assets`` needs the project then): the repo's ``dbt_project/`` by
# default; ``TIKTOK_DBT_PROJECT_DIR`` for an image whose package is installed apart from the project.
DBT_PROJECT_DIR = Path(os.environ.get("TIKTOK_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project").resolve()

# No ``prepare_if_dev()``: it re-parses on every load of ``dagster dev`` (16-22 s) with the ``dbt`` found
# on PATH, which is absent when the venv is not activated. The manifest is built at install time
# (``make`` runs ``python -m tiktok_assets.dbt.prepare``) and rebuilt at load only when the project
# changed since (``runner.ensure_manifest``), always with the venv's own ``dbt``.
tiktok_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_env(
    lake_url: str | None = None,
    warehouse: str | None = None,
    s3_endpoint_url: str | None = None,
) -> dict[str, str]:
    """Environment for one dbt invocation; unset arguments fall back to the settings (read now)."""
    env = {
        settings.TIKTOK_LAKE_URL: resolve_lake_url(lake_url) if lake_url else settings.lake_url(),
        settings.TIKTOK_WAREHOUSE: resolve_warehouse(
            warehouse or settings.env(settings.TIKTOK_WAREHOUSE, settings.DEFAULT_WAREHOUSE) or ""
        ),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    endpoint = s3_endpoint_url or settings.env(settings.TIKTOK_S3_ENDPOINT_URL)
    if endpoint:
        env[settings.TIKTOK_S3_ENDPOINT_URL] = endpoint
    return env


def ensure_warehouse_dir(env: dict[str, str]) -> None:
    """Prepare ``env`` for a build: create the warehouse's folder (DuckDB creates the file, not its
    parent folders) and snapshot the lake tables' live files into ``TIKTOK_LAKE_FILES``, which
    ``macros/lake.sql`` reads (``tiktok_assets/dbt/lake_files.py``; a parse needs neither)."""
    from tiktok_assets.dbt.lake_files import LAKE_FILES_ENV, write_snapshot

    warehouse = env[settings.TIKTOK_WAREHOUSE]
    if warehouse != ":memory:":
        Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    env[LAKE_FILES_ENV] = write_snapshot(env[settings.TIKTOK_LAKE_URL], env.get(settings.TIKTOK_S3_ENDPOINT_URL))


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the duration of the block, then restore.

    Why: DbtCliResource passes a copy of ``os.environ`` to the dbt subprocess and has no ``env=``
    argument; the copy is taken when the process starts, so restoring afterwards is safe.
    """
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in previous.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
