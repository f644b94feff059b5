"""Smoke run of the benchmark harness, so it cannot rot: the quick rate-bound comparison end to end.

Asserts values, never timings: every contender produced a row with numbers, ours spent at least the
universe's theoretical minimum and received no 429 under the simulator's per-key limit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = ("ours", "dlt", "naive")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    tmp = tmp_path_factory.mktemp("bench")
    report, raw = tmp / "BENCHMARKS.md", tmp / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--regimes", "rate-bound", "--scenarios",
         "--output", str(report), "--json", str(raw), "--workdir", str(tmp / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return report.read_text(encoding="utf-8"), json.loads(raw.read_text())


@pytest.mark.timeout(300)
def test_report_has_a_numeric_row_per_contender(quick_run: tuple[str, dict]) -> None:
    text, _ = quick_run
    assert "## Machine" in text and "| Python |" in text and "| CPU |" in text
    main_table = text.split("| contender | credits |", 1)[1].split("\n\n", 1)[0]
    for contender in CONTENDERS:
        rows = [ln for ln in main_table.splitlines() if ln.startswith(f"| {contender} |")]
        assert len(rows) == 1, f"no single row for {contender} in the results table"
        cells = [c.strip() for c in rows[0].strip("|").split("|")]
        assert "failed" not in cells[1], rows[0]
        credits, ratio, n429, wall = cells[1], cells[2], cells[3], cells[4]
        assert credits.isdigit() and int(credits) > 0
        assert re.fullmatch(r"\d+\.\d\dx", ratio)
        assert n429.isdigit()
        assert float(wall) > 0


@pytest.mark.timeout(300)
def test_ours_spends_at_least_the_minimum_and_gets_no_429(quick_run: tuple[str, dict]) -> None:
    _, raw = quick_run
    by_name = {m["contender"]: m for m in raw["measurements"] if m["regime"] == "rate-bound"}
    assert set(by_name) == set(CONTENDERS)
    ours = by_name["ours"]
    assert ours["ok"], ours["error"]
    assert ours["minimum"] > 0
    assert ours["credits"] >= ours["minimum"]
    assert ours["n429"] == 0
    assert ours["rows"] > 0
    for m in by_name.values():
        assert m["credits"] > 0 and m["rows"] > 0 and m["peak_rss"] > 0


@pytest.mark.timeout(300)
def test_split_table_gives_each_contenders_cpu_per_request(quick_run: tuple[str, dict]) -> None:
    """The CPU columns are what shows a contender held back by its own work on a small machine."""
    text, raw = quick_run
    split = text.split("| contender | before the first request s |", 1)[1].split("\n\n", 1)[0]
    requests = {m["contender"]: m["requests"] for m in raw["measurements"] if m["regime"] == "rate-bound"}
    for contender in CONTENDERS:
        row = next(ln for ln in split.splitlines() if ln.startswith(f"| {contender} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        cpu_s, cpu_ms = float(cells[5]), float(cells[6])
        assert cpu_s > 0, row
        assert cpu_ms == pytest.approx(1e3 * cpu_s / requests[contender], abs=0.1 + 1e3 * 0.05 / requests[contender])


@pytest.mark.timeout(300)
def test_ours_wall_is_split_by_its_dagster_run_events(quick_run: tuple[str, dict]) -> None:
    """The phase table comes from ours' own Dagster event log, read after the run: its phases cover the
    wall exactly, and the run's planned events and its steps are in it."""
    text, raw = quick_run
    ours = next(m for m in raw["measurements"] if m["regime"] == "rate-bound" and m["contender"] == "ours")
    kinds = [kind for kind, _label, _s in ours["phases"]]
    assert kinds[:2] == ["instance", "planned"] and "span" in kinds and "checks" not in kinds, kinds
    assert sum(s for _k, _l, s in ours["phases"]) == pytest.approx(ours["wall"], abs=1e-6)
    assert all(s >= 0 for _k, _l, s in ours["phases"]), ours["phases"]
    span = next(s for k, _l, s in ours["phases"] if k == "span")
    assert span == pytest.approx(ours["request_span"], abs=1e-6)
    assert ours["planned_events"] > 0
    table = text.split("| ours, phase | s | share of wall |", 1)[1].split("\n\n", 1)[0]
    assert f"its {ours['planned_events']} planned materializations and checks" in table
    assert "| step `tiktok_events` after the last request" in table and "_checks`" not in table  # checks: in the family steps


def test_a_run_whose_assets_failed_or_did_not_run_is_not_ok() -> None:
    """Entity errors (the workload's deleted account) leave a run's numbers standing; a failed step
    does not: the multihost hosts once reported "ok" with their events family never run."""
    from benchmarks.harness import HARD_FAILURE

    summary = ("asset            status            rows  pages credits  seconds  errors\n"
               "profiles         entity errors       10     10      10     3.05  1 entity\n"
               "posts            not run              0      0       0     0.00  \n"
               "comments         failed               0      0       0     0.00  FileNotFoundError\n")
    assert HARD_FAILURE.findall(summary) == [("posts", "not run"), ("comments", "failed")]
    assert HARD_FAILURE.findall(summary.split("posts")[0]) == []


def test_processes_started_together_meet_their_target_only_when_every_one_succeeded() -> None:
    """The concurrent-runs and multihost targets share one rule: a failed process sends less, so the
    others' pace must not call the scenario met (the concurrent runs' target once ignored failures)."""
    from benchmarks.scenarios import KeyLoad, combined_wall

    load = KeyLoad(requests=500, span=20.4, n429=0, credits=500, rate=25.0)  # bound 20.0 s: 1.02x
    ok = combined_wall("2 runs: combined", load, 1.05, "24.5 req/s", 0, "run")
    assert (ok.value, ok.goal, ok.met) == ("1.02x (24.5 req/s)", "<= 1.05x, every run ok", True)
    one_failed = combined_wall("2 runs: combined", load, 1.05, "24.5 req/s", 1, "run")
    assert (one_failed.value, one_failed.met) == ("1.02x (24.5 req/s), 1 run(s) failed", False)
    slow = combined_wall("3 hosts: combined", KeyLoad(500, 22.4, 0, 500, 25.0), 1.10, "500 credits", 0, "host")
    assert (slow.value, slow.goal, slow.met) == ("1.12x (500 credits)", "<= 1.10x, every host ok", False)
    nothing = combined_wall("2 hosts: combined", KeyLoad(0, 0.0, 0, 0, 25.0), 1.10, "0 credits", 2, "host")
    assert (nothing.value, nothing.met) == ("no request (2 host(s) failed)", False)


def test_code_location_load_stops_the_clock_when_definitions_are_ready() -> None:
    """The load target once counted the child's interpreter teardown (0.6-0.8 s of freeing modules),
    which a running code location never pays: the clock now stops at the child's "ready" line, so the
    spawn-to-ready time can exceed the in-process import time only by interpreter start-up."""
    from benchmarks.scenarios import LOAD_GOAL_S, load_once, load_time

    ready, imported = load_once()
    assert 0.5 < imported <= ready < imported + 1.0, (ready, imported)
    lines, (target,) = load_time(runs=1)
    spawn_s, import_s = (float(x) for x in re.findall(r"(\d+\.\d+) s \(", target.value))
    assert target.met == (spawn_s < LOAD_GOAL_S) and import_s <= spawn_s
    assert "no `dbt parse` at load" in " ".join(lines)  # the manifest prepared at install was read, not re-parsed


def test_a_contenders_peak_rss_is_its_own_not_the_benchmark_processs(tmp_path: Path) -> None:
    """``ru_maxrss`` survives fork + exec: forked from a benchmark process holding 1.1 GB (the in-process
    simulator after the million-comment scenario), every later contender once reported 1,175 MB. A
    contender that holds ~60 MB must report about that, while this process holds 300 MB more."""
    from benchmarks.proc import run_contender

    (tmp_path / "small_contender.py").write_text(
        "import sys\nfrom benchmarks.proc import write_result\nheld = bytearray(60 * 2**20)\n"
        "held[::4096] = b'x' * len(held[::4096])\nwrite_result(sys.argv[sys.argv.index('--result') + 1])\n")
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # resident, so a fork carries it in its high-water mark
    pr = run_contender("small_contender", [], result_file=tmp_path / "result.json", cwd=str(tmp_path),
                       env={"PYTHONPATH": str(ROOT)})
    assert pr.returncode == 0, pr.stderr_tail
    assert 60 * 2**20 < pr.peak_rss_bytes < 200 * 2**20, pr.peak_rss_bytes / 2**20
    assert pr.peak_rss_bytes >= pr.result["vm_hwm_bytes"] > 60 * 2**20  # its own report, the poll's max beside it


@pytest.mark.timeout(60)
def test_a_code_location_that_warns_a_lot_still_reports_its_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's stderr once went to a pipe nobody read until the ready line: 200 KB of import-time
    warnings filled it and the load never reported. A load that fails names its error."""
    from benchmarks import scenarios

    monkeypatch.setattr(scenarios, "LOAD_SNIPPET", "import sys; sys.stderr.write('w' * 200_000); sys.stderr.flush(); "
                        "print(1.5, flush=True); sys.stdin.read()")
    ready, imported = scenarios.load_once()
    assert imported == 1.5 and ready > 0
    monkeypatch.setattr(scenarios, "LOAD_SNIPPET", "raise SystemExit('no definitions here')")
    with pytest.raises(RuntimeError, match="code location failed to load: no definitions here"):
        scenarios.load_once()
