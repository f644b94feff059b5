"""Shared plumbing of run.py and scenarios.py: the simulator handle, contender env, one measurement.

Why the simulator runs in the harness process (``SimulatorServer`` in-process): the harness is not
measured, each contender is its own subprocess, so the simulator's CPU and memory are never counted
against a contender; and the harness reads request / 429 / credit counts directly from the server's
stats (reset between contenders) and page minimums from its universe.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from . import dagster_run
from .proc import run_contender
from .report import Measurement
from .workload import Workload

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key-not-a-secret"  # the simulator's key; never a real one
# an asset row of ours' run summary (``cli/materialize_cmd.py``) that failed or never ran
HARD_FAILURE = re.compile(r"^(\w+)\s+(failed|not run)\s", re.MULTILINE)
EXCLUDED_DIRS = ("credit_ledger", "_dlt", "pipelines", "dlt_data", "dagster_home", "state")


def status_count(stats: dict[str, Any], code: int) -> int:
    status = stats.get("status", {})
    return int(status.get(code, status.get(str(code), 0)))


def rows_by_table(root: Path) -> dict[str, int]:
    """Rows per table in every Parquet file under ``root``, minus bookkeeping (ledger, dlt state) and
    dlt's child tables (``posts__cha_list`` etc.: nested lists dlt unnests, not extra records)."""
    counts: dict[str, int] = {}
    for f in root.rglob("*.parquet"):
        parts = f.relative_to(root).parts
        if any(part.startswith(EXCLUDED_DIRS) for part in parts):
            continue
        table = parts[1] if parts[0] == "tiktok" and len(parts) > 2 else parts[0]  # dlt: <dataset>/<table>/...
        if "__" in table:
            continue
        counts[table] = counts.get(table, 0) + pq.ParquetFile(f).metadata.num_rows
    return dict(sorted(counts.items()))


def wall_split(log: list[tuple[float, str, int, dict[str, Any]]], started_at: float | None, wall: float) -> dict[str, float]:
    """The contender's wall time in three parts, from the simulator's arrival times (same clock): before
    its first request (start-up), from the first to the last request, after the last (final writes)."""
    if not log or started_at is None:
        return {}
    first, last = log[0][0], log[-1][0]
    return {"before_first_request": first - started_at, "request_span": last - first,
            "after_last_request": started_at + wall - last}


@dataclass
class Context:
    """One simulator + the workload it serves + where contenders write."""

    sim: Any
    workload: Workload
    work: Path
    rate_limit: int | None
    rate_window: float
    concurrency: int

    def contender_env(self, out: Path, *, state: Path | None = None) -> dict[str, str]:
        """Environment of a contender: the simulator, the key, the pace, where to write."""
        home = out / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        tracked = self.workload.write_tracked(out / "tracked.yaml")
        limit, window = (self.rate_limit, self.rate_window) if self.rate_limit else (100_000, 1.0)  # "no limit"
        return {
            "SCAVIO_API_KEY": API_KEY,
            "SCAVIO_BASE_URL": self.sim.url,
            "SCAVIO_RATE_LIMIT": str(limit),
            "SCAVIO_RATE_WINDOW_SECONDS": str(window),
            "SCAVIO_MAX_CONCURRENCY": str(self.concurrency),
            "TIKTOK_LAKE_URL": str(out / "lake"),
            "TIKTOK_TRACKED_FILE": str(tracked),
            "TIKTOK_STATE_DIR": str(state or (out / "state")),
            "TIKTOK_WAREHOUSE": str(out / "warehouse.duckdb"),
            "DAGSTER_HOME": str(home),
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONWARNINGS": "ignore",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }

    def fresh_out(self, name: str) -> Path:
        out = self.work / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        return out

    def args_for(self, contender: str, out: Path, wl_path: Path, extra: list[str] | None = None) -> tuple[str, list[str]]:
        if contender == "ours":
            return "benchmarks.ours", ["--workload", str(wl_path), *(extra or [])]
        common = ["--base-url", self.sim.url, "--workload", str(wl_path), "--out", str(out / "lake")]
        if contender == "naive":
            return "benchmarks.naive", common
        if contender == "dlt":
            pace = ["--rate-limit", str(self.rate_limit), "--rate-window", str(self.rate_window)] if self.rate_limit else []
            return "benchmarks.dlt_pipeline", [*common, *pace, "--workers", str(self.concurrency)]
        raise ValueError(f"unknown contender {contender!r}")

    def measure(self, contender: str, regime: str, *, label: str | None = None, out: Path | None = None,
                extra: list[str] | None = None, workload: Workload | None = None, reset: bool = True,
                state: Path | None = None, env: dict[str, str] | None = None, split_by_run: bool = False) -> Measurement:
        """Run one contender to completion and read its numbers from outside; ``env`` overrides its
        environment (an empty value unsets a setting, e.g. ``SCAVIO_RATE_LIMIT``). ``split_by_run``
        (ours only): split its wall by its Dagster run's events (``dagster_run.py``), a read of 2-3 s in a
        subprocess, so not for measurements that run beside another contender (concurrent, multihost)."""
        label = label or contender
        out = out or self.fresh_out(f"{regime}-{label}")
        wl = workload or self.workload
        wl_path = wl.save(out / "workload.json")
        full_env = {**self.contender_env(out, state=state), "TIKTOK_TRACKED_FILE": str(wl.write_tracked(out / "tracked.yaml")),
                    **(env or {})}
        module, args = self.args_for(contender, out, wl_path, extra)
        if reset:
            self.sim.reset()  # stats, rate windows and balance: each contender starts from the same state
        pr = run_contender(module, args, result_file=out / f"result-{label}.json", env=full_env, cwd=str(out))
        stats = self.sim.stats()
        m = Measurement(contender=label, regime=regime, credits=int(stats.get("charged", 0)),
                        requests=sum(int(v) for v in stats.get("requests", {}).values()), n429=status_count(stats, 429),
                        wall=float(pr.result.get("wall_seconds", pr.process_seconds)), process_wall=pr.process_seconds,
                        peak_rss=pr.peak_rss_bytes)
        log, started_at = self.sim.request_log, pr.result.get("started_at")
        m.extra.update(wall_split(log, started_at, m.wall))
        if split_by_run and log and started_at is not None:
            run = dagster_run.read(out / "dagster_home")
            m.extra["phases"] = dagster_run.phases(run, started_at, m.wall, log[0][0], log[-1][0])
            m.extra["planned_events"] = dagster_run.planned_events(run)
        m.extra["rows_by_table"] = rows_by_table(out / "lake") if (out / "lake").exists() else {}
        m.rows = sum(m.extra["rows_by_table"].values())
        codes = pr.result.get("exit_codes", [pr.returncode])
        if pr.returncode != 0 or any(codes):
            # ours exits 1 on entity errors (the workload's deleted account): its numbers still stand; not
            # when an asset failed or did not run (the multihost hosts' failed checks once read as "ok")
            failed = HARD_FAILURE.findall(pr.result.get("summary", ""))
            m.ok = pr.returncode == 0 and m.rows > 0 and not failed
            lines = [ln for ln in pr.stderr_tail.splitlines() if ln.strip()]
            m.error = (f"exit {pr.returncode}, runs {codes}: "
                       + (f"{', '.join(f'{a} {s}' for a, s in failed)}; " if failed else "") + (lines[-1] if lines else ""))
            if pr.result.get("summary"):
                m.extra["summary"] = pr.result["summary"]
        m.extra["out"] = str(out)
        m.extra["cpu_seconds"] = pr.cpu_seconds
        if os.environ.get("BENCH_DEBUG"):
            print(pr.stderr_tail)
        return m
