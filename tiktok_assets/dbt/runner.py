"""Running dbt outside an asset: the resource factory, ``dbt parse`` and ``dbt build`` for the CLI.

Why a module apart from ``assets.py``: ``@dbt_assets`` needs the manifest at import, and these
helpers are what build it (``prepare_manifest``) or run dbt without Dagster at all
(``tiktok-assets materialize`` calls :func:`run_dbt_build` at the end). Everything goes through
``DbtCliResource`` (a dbt subprocess with cwd = ``dbt_project/``), so the CLI and Dagster run dbt the
same way.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from dagster_dbt import DbtCliResource

from tiktok_assets.dbt.project import DBT_PROJECT_DIR, dbt_env, ensure_warehouse_dir, patched_environ, tiktok_dbt_project

DEFAULT_THREADS = 4


def _dbt_executable() -> str:
    """The ``dbt`` next to this interpreter (works in an un-activated venv), else from PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_resource() -> DbtCliResource:
    """The ``dbt`` resource for Definitions and the helpers below."""
    return DbtCliResource(
        project_dir=tiktok_dbt_project,
        profiles_dir=os.fspath(DBT_PROJECT_DIR),
        dbt_executable=_dbt_executable(),
    )


@lru_cache(maxsize=1)
def _shared_resource() -> DbtCliResource:
    """One resource per process for the helpers: it caches the `dbt --version` probe it runs."""
    return dbt_resource()


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    manifest_path = Path(tiktok_dbt_project.manifest_path)
    if not manifest_path.exists():
        return True
    built = manifest_path.stat().st_mtime
    skip = {"target", "logs", "dbt_packages", ".user.yml"}
    for path in DBT_PROJECT_DIR.rglob("*"):
        if path.is_file() and not skip.intersection(path.relative_to(DBT_PROJECT_DIR).parts[:1]):
            if path.stat().st_mtime > built:
                return True
    return False


def ensure_manifest() -> Path:
    """The manifest, parsed again only when the project changed since it was built."""
    return prepare_manifest() if manifest_is_stale() else Path(tiktok_dbt_project.manifest_path)


def prepare_manifest() -> Path:
    """Run ``dbt parse`` (offline, no database) and install ``target/manifest.json`` atomically.

    The parse runs in a private target folder and only the finished manifest (and the partial-parse
    cache) is moved into place, so a concurrent reader never sees a half-written file. It uses the
    configured environment (``dbt_env()``) so the cache also fits a later default ``dbt build``;
    parsing never opens the warehouse.
    """
    manifest_path = Path(tiktok_dbt_project.manifest_path)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-parse-", dir=manifest_path.parent) as tmp:
        with patched_environ(dbt_env()):
            invocation = _shared_resource().cli(["parse", "--quiet"], target_path=Path(tmp), raise_on_error=False)
        invocation.wait()
        built = Path(tmp) / "manifest.json"
        if not invocation.is_successful() or not built.exists():
            raise RuntimeError(f"dbt parse failed for {DBT_PROJECT_DIR}: {invocation.get_error()}")
        cache = Path(tmp) / "partial_parse.msgpack"
        if cache.exists():
            os.replace(cache, manifest_path.parent / cache.name)
        os.replace(built, manifest_path)
    return manifest_path


@dataclass(frozen=True)
class DbtBuildSummary:
    """What one ``dbt build`` did, for the CLI's report and exit code."""

    success: bool
    models_passed: int
    tests_passed: int
    tests_warned: int
    failed: tuple[str, ...] = field(default_factory=tuple)  # "<unique_id>: <message>"
    skipped: int = 0
    seconds: float = 0.0
    target_path: str | None = None

    def describe(self) -> str:
        status = "ok" if self.success else f"FAILED ({len(self.failed)})"
        return (f"dbt build {status}: {self.models_passed} models, {self.tests_passed} tests passed"
                f" ({self.tests_warned} warned, {self.skipped} skipped) in {self.seconds:.1f}s")


def summarize_run_results(run_results: dict, success: bool, seconds: float, target_path: str | None) -> DbtBuildSummary:
    models = tests = warned = skipped = 0
    failed: list[str] = []
    for result in run_results.get("results", []):
        unique_id, status = result.get("unique_id", ""), result.get("status")
        if status == "skipped":
            skipped += 1
        elif status in ("error", "fail", "runtime error"):
            failed.append(f"{unique_id}: {(result.get('message') or status).strip()}")
        elif unique_id.startswith("model.") and status == "success":
            models += 1
        elif unique_id.startswith("test.") and status == "pass":
            tests += 1
        elif unique_id.startswith("test.") and status == "warn":
            warned += 1
    return DbtBuildSummary(success=success and not failed, models_passed=models, tests_passed=tests,
                           tests_warned=warned, failed=tuple(failed), skipped=skipped,
                           seconds=round(seconds, 3), target_path=target_path)


def run_dbt_build(
    lake_url: str,
    warehouse: str,
    s3_endpoint_url: str | None = None,
    *,
    target_path: str | os.PathLike[str] | None = None,
    threads: int = DEFAULT_THREADS,
    full_refresh: bool = False,
) -> DbtBuildSummary:
    """``dbt build`` (models + tests + mart exports) over ``lake_url`` into ``warehouse``.

    Relative paths are taken relative to the repo root. S3 credentials come from the usual
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` environment. Does not raise on model or test
    failures: the summary says what failed (``success`` is False) so the caller picks the exit code.
    ``target_path`` keeps the artifacts there; by default a temporary folder is used and removed.
    The staging models are incremental (each build reads the lake partitions that changed since the
    last one, ``dbt_project/macros/lake_incremental.sql``); ``full_refresh`` rebuilds them from every
    live file (``dbt build --full-refresh``), which gives the same rows.
    """
    started = time.monotonic()
    keep = target_path is not None
    target = Path(target_path) if keep else Path(tempfile.mkdtemp(prefix="dbt-build-"))
    try:
        cache = Path(tiktok_dbt_project.manifest_path).parent / "partial_parse.msgpack"
        target.mkdir(parents=True, exist_ok=True)
        if cache.exists() and not (target / cache.name).exists():
            shutil.copy2(cache, target / cache.name)  # lets dbt skip a full parse when nothing changed
        env = dbt_env(lake_url, warehouse, s3_endpoint_url)
        ensure_warehouse_dir(env)
        with patched_environ(env):
            invocation = _shared_resource().cli(  # --quiet: only errors on stdout; the summary reads run_results
                ["build", "--threads", str(threads), "--quiet", *(["--full-refresh"] if full_refresh else [])],
                target_path=target, raise_on_error=False
            )
        invocation.wait()
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:
            error = invocation.get_error()
            return DbtBuildSummary(success=False, models_passed=0, tests_passed=0, tests_warned=0,
                                   failed=(f"dbt build did not run: {error}",),
                                   seconds=round(time.monotonic() - started, 3),
                                   target_path=str(target) if keep else None)
        return summarize_run_results(run_results, invocation.is_successful(), time.monotonic() - started,
                                     str(target) if keep else None)
    finally:
        if not keep:
            shutil.rmtree(target, ignore_errors=True)
