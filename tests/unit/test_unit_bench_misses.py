"""The missed-target explanations of BENCHMARKS.md (``benchmarks/misses.py``) quote the run they sit in.

Why: they used to quote one dated run's figures as literals, which stopped matching the tables on the
next ``make bench``. These tests feed two different runs and check each explanation carries its own
run's numbers, and that a run without the split figures gets a pointer to the table, not a stale number.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.misses import HEADING, explain, rewrite
from benchmarks.report import Measurement


def _m(regime: str, contender: str, requests: int, span: float, before: float, after: float, cpu: float,
       bound: float) -> dict:
    return {"contender": contender, "regime": regime, "ok": True, "requests": requests, "credits": requests,
            "request_span": span, "before_first_request": before, "after_last_request": after,
            "cpu_seconds": cpu, "bound": bound, "minimum": 1659}


MISSED = [{"name": "latency-bound: faster than dlt, at <= its credits", "value": "0.85x", "goal": ">= 1x", "met": False},
          {"name": "rate-bound: wall vs bound (minimum requests ÷ rate)", "value": "1.10x", "goal": "<= 1.05x", "met": False},
          {"name": "rate-bound: faster than dlt, at <= its credits", "value": "0.92x", "goal": ">= 1x", "met": False},
          {"name": "latency-bound: wall vs bound", "value": "1.46x", "goal": "<= 1.15x", "met": False},
          {"name": "rate-bound: 429s", "value": "0", "goal": "0", "met": True}]


# ours' phases as benchmarks/dagster_run.phases gives them (kind, label, seconds); only kinds are read
PHASES = [["instance", "i", 1.0], ["planned", "p", 1.25], ["startup", "s", 0.1], ["setup", "u", 0.15],
          ["span", "r", 67.0], ["tail", "t", 1.1], ["between", "b", 0.01], ["checks", "c", 0.6],
          ["between", "b", 0.01], ["checks", "c", 0.75], ["run_end", "e", 0.03], ["cli", "x", 0.2]]


def _run(span_lb: float, dlt_requests: int) -> list[dict]:
    return [_m("latency-bound", "ours", 1659, span_lb, 4.0, 3.0, 27.2, 31.1),
            _m("latency-bound", "dlt", dlt_requests, 36.0, 0.5, 1.0, 13.6, 31.1),
            {**_m("rate-bound", "ours", 1659, 67.0, 2.5, 3.0, 19.9, 66.36), "phases": PHASES, "planned_events": 166},
            _m("rate-bound", "dlt", dlt_requests, 65.9, 0.4, 0.8, 12.0, 66.36)]


def _section(measurements: list[dict]) -> dict[str, str]:
    lines = explain(MISSED, [Measurement.from_json(d) for d in measurements])
    assert lines[0] == HEADING
    items = [ln for ln in lines if ln.startswith("- **")]
    return {ln[4:ln.index("**", 4)]: ln for ln in items}


def test_each_explanation_quotes_the_figures_of_its_own_run() -> None:
    one, two = _section(_run(37.6, 1614)), _section(_run(40.0, 1600))
    assert set(one) == {t["name"] for t in MISSED if not t["met"]}  # met targets are not explained
    lb = one["latency-bound: faster than dlt, at <= its credits"]
    # 1659/37.6 = 44.1 req/s against 1614/36.0 = 44.8; fixed 4+3 against 0.5+1; CPU 27.2 s/1659 = 16.4 ms
    assert "ours spent 37.6 s between its first and last request against dlt's 36.0 s (44.1 against 44.8" in lb
    assert "7.0 s before and after them against dlt's 1.5 s" in lb
    assert "the 45 requests ours sends beyond dlt's" in lb and "16.4 ms of CPU per request against dlt's 8.4 ms" in lb
    rb = one["rate-bound: wall vs bound (minimum requests ÷ rate)"]
    assert "the span was 1.01x the bound" in rb and "5.5 s in this run, where 1.05x allows 3.3 s" in rb
    # the fixed cost by phase, summed by kind from ours' event log: two check steps 0.6 + 0.75
    assert ("1.0 s before the run exists" in rb and "1.2 s from the run's creation" in rb
            and "166 planned materializations" in rb and "1.1 s for the last asset's commit" in rb
            and "1.4 s of table-check steps" in rb), rb
    assert "ours sends 45 more" in one["rate-bound: faster than dlt, at <= its credits"]
    assert "(37.6 s against 36.0 s)" in one["latency-bound: wall vs bound"]
    assert "(the phase table; see the rate-bound" in one["latency-bound: wall vs bound"]  # no latency-bound phases given
    # a second run with other figures says other things: nothing is a literal of one run
    lb2 = two["latency-bound: faster than dlt, at <= its credits"]
    assert "ours spent 40.0 s" in lb2 and "the 59 requests ours sends beyond dlt's" in lb2
    assert "37.6" not in two["latency-bound: wall vs bound"].split("A timeline")[0]


def test_a_run_without_split_figures_points_at_the_table() -> None:
    section = _section([{"contender": "ours", "regime": "latency-bound", "ok": True, "requests": 1659}])
    lb = section["latency-bound: faster than dlt, at <= its credits"]
    assert "Compare the request span and the time before and after it in the split table." in lb
    assert "the requests ours sends beyond dlt's:" in lb
    assert "{" not in "".join(section.values())  # no unfilled placeholder reaches the report
    rb = section["rate-bound: wall vs bound (minimum requests ÷ rate)"]
    assert "splits it from the run's own Dagster event log. A one-off" in rb


def test_rewrite_replaces_the_section_from_the_json(tmp_path: Path) -> None:
    report, raw = tmp_path / "BENCHMARKS.md", tmp_path / "run.json"
    report.write_text(f"# Benchmarks\n\n{HEADING}\n\n- **old** (x): stale 99.9 s\n\n## Results\n\nrows\n", encoding="utf-8")
    raw.write_text(json.dumps({"targets": MISSED, "measurements": _run(37.6, 1614)}))
    rewrite(report, raw)
    text = report.read_text(encoding="utf-8")
    assert "stale 99.9 s" not in text and text.count(HEADING) == 1
    assert "ours spent 37.6 s" in text and text.endswith("## Results\n\nrows\n")


def test_a_run_without_check_steps_names_none() -> None:
    """Since the table checks run in the family steps, a run has no check step: the text says nothing
    of one, and the rest of its phases are still quoted."""
    run = _run(37.6, 1614)
    run[2] = {**run[2], "phases": [p for p in PHASES if p[0] not in ("checks", "between")]}
    rb = _section(run)["rate-bound: wall vs bound (minimum requests ÷ rate)"]
    assert "1.1 s for the last asset's commit, its checks and its partition materializations. " in rb, rb
    assert "table-check steps" not in rb and "1.0 s before the run exists" in rb
