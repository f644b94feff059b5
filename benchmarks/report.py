"""Render the measurements as BENCHMARKS.md: one table per regime, scenarios, targets, machine.

Why ratios "against ours": the issue asks how much more credit, 429s, wall time and memory the
alternatives need for the same workload on the same simulator; ``x`` > 1 means the contender needs
more than ours. A ratio against 0 (e.g. our 0 429s) is shown as the contender's raw count.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psutil


@dataclass
class Measurement:
    contender: str
    regime: str
    credits: int = 0
    requests: int = 0
    n429: int = 0
    wall: float = 0.0  # work time measured inside the contender (imports excluded)
    process_wall: float = 0.0  # whole subprocess, interpreter start to exit
    peak_rss: int = 0
    rows: int = 0
    ok: bool = True
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall if self.wall > 0 else 0.0

    @property
    def span_rate(self) -> float:
        """Requests per second between the first and the last request (0 without the split)."""
        span = self.extra.get("request_span", 0)
        return self.requests / span if span else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1e3 * self.extra.get("cpu_seconds", 0) / max(1, self.requests)

    def to_json(self) -> dict[str, Any]:
        """The fields and the ``JSON_EXTRAS`` of ``extra``, flat: one entry of ``--json``'s measurements."""
        return {**{k: v for k, v in vars(self).items() if k != "extra"},
                **{k: v for k, v in self.extra.items() if k in JSON_EXTRAS}}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Measurement:
        """The inverse of :meth:`to_json` (``misses.py`` re-renders a report from it)."""
        fields = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__ and k != "extra"}
        return cls(**fields, extra={k: v for k, v in doc.items() if k not in fields})


# The extras written to --json with each measurement: what ``misses.py`` quotes when it re-renders a report.
JSON_EXTRAS = ("minimum", "bound", "before_first_request", "request_span", "after_last_request", "cpu_seconds",
               "phases", "planned_events")


@dataclass
class Target:
    name: str
    value: str
    goal: str
    met: bool | None  # None = not measured


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import dlt

    return {
        "CPU": cpu or "unknown",
        "cores (logical)": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "Python": sys.version.split()[0],
        "OS": platform.platform(),
        "dlt": dlt.__version__,
    }


def _ratio(value: float, ours: float, fmt: str = "{:.2f}x") -> str:
    if ours == 0:
        return "—" if value == 0 else f"{value:g} vs 0"
    return fmt.format(value / ours)


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f}"


def regime_table(title: str, rows: list[Measurement], minimum: int, bound: float, bound_text: str) -> list[str]:
    ours = next((m for m in rows if m.contender == "ours"), None)
    out = [f"### {title}", "", f"Theoretical minimum: **{minimum} credits**. Wall-time bound: **{bound:.1f} s** ({bound_text}).", "",
           "| contender | credits | credits ÷ min | 429s | wall s | wall ÷ bound | process s | peak RSS MB | rows | rows/s "
           "| credits vs ours | 429s vs ours | wall vs ours | RSS vs ours |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in rows:
        if not m.ok:
            out.append(f"| {m.contender} | failed: {m.error[:120]} |" + " |" * 13)
            continue
        vs = (lambda a, b: _ratio(a, b)) if ours and ours.ok else (lambda a, b: "n/a")
        out.append(
            f"| {m.contender} | {m.credits} | {m.credits / minimum:.2f}x | {m.n429} | {m.wall:.1f} | "
            f"{(m.wall / bound if bound else 0):.2f}x | {m.process_wall:.1f} | {_mb(m.peak_rss)} | {m.rows} | {m.rows_per_s:.0f} | "
            f"{vs(m.credits, ours.credits if ours else 0)} | {vs(m.n429, ours.n429 if ours else 0)} | "
            f"{vs(m.wall, ours.wall if ours else 0)} | {vs(m.peak_rss, ours.peak_rss if ours else 0)} |")
    split = [m for m in rows if m.ok and "request_span" in m.extra]
    if split:
        out += ["", "Where the wall time goes (from the simulator's arrival times; requests per second between the "
                "first and the last request), and the CPU the contender's process used (user + system, from its "
                "rusage): on a machine with few cores a contender whose CPU is close to its wall time is held back by "
                "its own work, not by the server:", "",
                "| contender | before the first request s | first to last request s | after the last request s "
                "| requests per s between | CPU s | CPU ms per request |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        out += [f"| {m.contender} | {m.extra['before_first_request']:.1f} | {m.extra['request_span']:.1f} | "
                f"{m.extra['after_last_request']:.1f} | {m.span_rate:.1f} | "
                f"{m.extra.get('cpu_seconds', 0):.1f} | {m.cpu_ms_per_request:.1f} |"
                for m in split]
    if ours is not None and ours.extra.get("phases"):
        out += ["", "Where ours' wall time goes, phase by phase: the boundaries are the contender's start, the events "
                "of its Dagster run (from the run's event log) and the simulator's first and last request, all on "
                "one clock:", "", "| ours, phase | s | share of wall |", "|---|---:|---:|"]
        out += [f"| {label} | {sec:.2f} | {sec / ours.wall:.1%} |" for _kind, label, sec in ours.extra["phases"]]
    tables = sorted({t for m in rows for t in m.extra.get("rows_by_table", {})})
    if tables:
        out += ["", "Rows written per table (same workload and selection; "
                "repeats across pages are off in the simulator, so the counts should agree):", "", "| contender | " + " | ".join(tables) + " |", "|---|" + "---:|" * len(tables)]
        out += [f"| {m.contender} | " + " | ".join(str(m.extra.get("rows_by_table", {}).get(t, 0)) for t in tables) + " |" for m in rows]
    return out + [""]


def render(*, sections: list[list[str]], targets: list[Target], explained: list[str], notes: list[str],
           params: dict[str, str], started: datetime, quick: bool) -> str:
    """The report; ``explained``: the missed-target section (``misses.explain``), printed under the targets."""
    lines = ["# Benchmarks", "",
             f"Generated by `python -m benchmarks.run{' --quick' if quick else ''}` on "
             f"{started.astimezone(UTC):%Y-%m-%d %H:%M} UTC. Every contender ran in its own subprocess against "
             "the same simulator process state (stats reset between contenders); credits and 429s are the "
             "simulator's own counts. `wall` is the contender's work time (imports excluded), `process` the "
             "whole subprocess; peak RSS is the contender's own high-water mark since its start (`VmHWM`; not "
             "`ru_maxrss`, which Linux carries over from the benchmark process it was forked from), or its process "
             "tree's, polled every 50 ms, where that is larger.", ""]
    if quick:
        lines += ["> **Quick run** (smoke-test size): numbers are not representative.", ""]
    lines += ["## Machine", "", "| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in machine().items()] + [""]
    lines += ["## Parameters", "", "| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in params.items()] + [""]
    lines += ["## Targets", "", "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in targets:
        mark = "n/a" if t.met is None else ("yes" if t.met else "**no**")
        lines.append(f"| {t.name} | {t.value} | {t.goal} | {mark} |")
    lines += [""] + explained
    lines += ["## Results", ""]
    for s in sections:
        lines += s
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)
