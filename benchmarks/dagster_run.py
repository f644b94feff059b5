"""Where `ours` spends its fixed cost, read from the Dagster event log of the run it just made.

Why: the benchmark showed *that* ours spends seconds before its first request and after its last,
but the parts (opening the instance, storing the run's planned events, each step, any check steps)
were a one-off profile quoted with its date, which went stale on the next run. Dagster stores every
event with a wall-clock timestamp, the same clock as the simulator's request log, so every run can
be split again from its own event log.

``python -m benchmarks.dagster_run DAGSTER_HOME`` prints the newest run's timeline as JSON (run in
its own process so the harness, which hosts the simulator, never imports Dagster).
:func:`phases` lines it up with the contender's start and the simulator's first and last request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

RUN_START, RUN_END = ("RUN_START", "PIPELINE_START"), ("RUN_SUCCESS", "RUN_FAILURE", "PIPELINE_SUCCESS", "PIPELINE_FAILURE")
STEP_END = ("STEP_SUCCESS", "STEP_FAILURE")
PLANNED = ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED")


def timeline(home: str) -> dict[str, Any]:
    """The newest run of the instance at ``home``: first event, run start/end, each step's start and
    end (epoch seconds) and the count of events by type."""
    os.environ["DAGSTER_HOME"] = home
    import dagster as dg

    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if not runs:
        return {}
    records = instance.all_logs(runs[0].run_id)
    out: dict[str, Any] = {"first_event": records[0].timestamp if records else None, "steps": {}, "events": {}}
    counts: Counter[str] = Counter()
    for r in records:
        kind = r.dagster_event.event_type_value if r.dagster_event else "LOG"
        counts[kind] += 1
        if kind in RUN_START:
            out["run_start"] = r.timestamp
        elif kind in RUN_END:
            out["run_end"] = r.timestamp
        elif kind == "STEP_START" and r.step_key:
            out["steps"].setdefault(r.step_key, {})["start"] = r.timestamp
        elif kind in STEP_END and r.step_key:
            out["steps"].setdefault(r.step_key, {})["end"] = r.timestamp
    out["events"] = dict(counts.most_common())
    return out


def read(home: Path, timeout: float = 120.0) -> dict[str, Any]:
    """:func:`timeline` in a subprocess; ``{}`` when the home holds no run or the read fails."""
    if not (home / "dagster.yaml").exists():
        return {}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.dagster_run", str(home)], capture_output=True, text=True,
                          timeout=timeout, check=False, env={**os.environ, "PYTHONWARNINGS": "ignore",
                                                             "DAGSTER_DISABLE_TELEMETRY": "1"},
                          cwd=Path(__file__).resolve().parents[1])
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else {}
    except (json.JSONDecodeError, IndexError):
        return {}


def planned_events(run: dict[str, Any]) -> int:
    """Events Dagster stores for a run before it starts: one per planned materialization and check."""
    return sum(run.get("events", {}).get(k, 0) for k in PLANNED)


def phases(run: dict[str, Any], started_at: float, wall: float, first_request: float,
           last_request: float) -> list[tuple[str, str, float]]:
    """The contender's wall time as consecutive phases (kind, label, seconds), in order; they sum to ``wall``.

    Every boundary is a timestamp on one clock (the contender's start, Dagster's events, the
    simulator's first and last request), so a phase is the time between two neighbouring ones. Step
    boundaries between the first and the last request are not split out: requests are in flight there.
    ``kind`` names the phase for the report's prose: instance, planned, startup, setup, span, tail,
    between, checks, step, run_end, cli."""
    if not run.get("first_event") or not run.get("run_start") or not run.get("run_end"):
        return []
    marks: list[tuple[float, str, str]] = [
        (run["first_event"], "instance", "before the run exists: the instance, the definitions and the job"),
        (run["run_start"], "planned", f"run created to run started: its execution plan, and its {planned_events(run)} "
                                      "planned materializations and checks stored one event each"),
        (first_request, "setup", "up to the first request"),  # relabelled below with its step
        (last_request, "span", "first to last request"),
        (run["run_end"], "run_end", "after the last step: the run's end"),
        (started_at + wall, "cli", "after the run: the CLI's summary"),
    ]
    steps = sorted((s for s in run["steps"].items() if "start" in s[1] and "end" in s[1]), key=lambda kv: kv[1]["start"])
    for i, (key, step) in enumerate(steps):
        if not first_request < step["start"] < last_request:
            marks.append((step["start"], "startup" if i == 0 else "between",
                          "run start-up (resources, the executor)" if i == 0 else f"between steps, before `{key}`"))
        if not first_request < step["end"] < last_request:
            if step["start"] < last_request:
                marks.append((step["end"], "tail", f"step `{key}` after the last request (its last commits, their "
                                                   "checks and materialization events)"))
            else:
                marks.append((step["end"], "checks" if key.endswith("_checks") else "step", f"step `{key}`"))
        if step["start"] <= first_request <= step["end"]:
            marks[2] = (first_request, "setup", f"step `{key}` up to its first request (the assets' set-up)")
    out, prev = [], started_at
    for t, kind, label in sorted(marks, key=lambda m: m[0]):
        out.append((kind, label, t - prev))
        prev = t
    return out


if __name__ == "__main__":
    print(json.dumps(timeline(sys.argv[1])))
