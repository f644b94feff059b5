"""The CLI's Dagster instance: a quiet first run, an existing dagster.yaml kept, and two first runs at once."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

from tiktok_assets.assets.windows import today_utc

CONFIG_WARNING = "No dagster instance configuration file"


def test_a_run_that_went_fine_reads_as_fine(cli) -> None:
    """Fresh DAGSTER_HOME (not even created): exit 0, and stderr holds only the INFO progress lines."""
    assert not cli.home.exists()
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts", "--no-dbt")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert CONFIG_WARNING not in proc.stderr
    noisy = [line for line in proc.stderr.splitlines() if line.strip() and " - INFO - " not in line]
    assert noisy == [], noisy
    config = (cli.home / "dagster.yaml").read_text()
    assert "telemetry:\n  enabled: false" in config


def test_an_existing_dagster_yaml_is_kept(cli) -> None:
    cli.home.mkdir()
    mine = "# my own instance\ntelemetry:\n  enabled: false\nrun_retries:\n  enabled: false\n"
    (cli.home / "dagster.yaml").write_text(mine)
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles", "--no-dbt")
    assert proc.returncode == 0, proc.stderr
    assert (cli.home / "dagster.yaml").read_text() == mine


def test_two_first_runs_at_once_both_succeed(cli) -> None:
    procs = [cli.popen("materialize", "--date", today_utc().isoformat(), "--select", "profiles", "--no-dbt",
                       TIKTOK_LAKE_URL=str(cli.root / f"lake{i}")) for i in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, out + err
        assert "already exists" not in err and "Traceback" not in err
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(cli.home)) as instance:
        assert len(instance.get_runs()) == 2


def _open_after_barrier(home: str, barrier, results) -> None:
    os.environ["DAGSTER_HOME"] = home
    from tiktok_assets.cli.instance import open_instance

    barrier.wait()
    try:
        open_instance().get_runs(limit=1)
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        results.put(f"{type(exc).__name__}: {exc}"[:300])


def test_instance_set_up_is_safe_when_processes_start_together(tmp_path: Path) -> None:
    """Four processes released by one barrier open a fresh instance at the same moment (without the
    lock, SQLite storages race on CREATE TABLE: 'table ... already exists', 'more than one head')."""
    ctx = mp.get_context("spawn")
    for trial in range(3):
        home = tmp_path / f"home{trial}"
        barrier, results = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_open_after_barrier, args=(str(home), barrier, results)) for _ in range(4)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert outcomes == ["ok"] * 4, outcomes
