"""Scenario ``pace``: where the rate-bound wall time of one run goes, second by second.

Why: "1.30x the bound" does not say whether the pacer holds senders back while the server still has
room, or whether the pipeline has nothing to send. This scenario runs "ours" in the rate-bound regime
with :mod:`benchmarks.pace_probe` installed and lines the probe's acquire/release times up with the
simulator's request log (same machine, same clock). Every tick of the run is one of:

- **no request wanted**: no sender waits in ``acquire()`` and nothing is in flight (Dagster steps,
  lake commits, run start-up: the pipeline, not the pacer);
- **answers in flight only**: nobody waits for a slot, some request is on the wire;
- **held back, server window spent**: a sender waits and the server's current fixed window has admitted
  its limit (the bound itself);
- **held back, server had room**: a sender waits although the server would have admitted it (the
  pacer's conservatism and its own cost: database round trips, polls, margins).

The capacity the run left unused (the server windows' unused slots between the first and the last
request) is split over those states in proportion to their time in each window, so the table adds up:
wall = own requests ÷ rate + lost seconds per cause + time before the first and after the last request.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from dataclasses import replace
from typing import Any

from tiktok_assets.simulator.server import SimulatorServer

from .harness import Context
from .pace_client import HEADER, row, run_senders
from .report import Measurement, Target
from .universe_view import minimum as universe_minimum

TICK = 0.005
STATES = ("no request wanted", "answers in flight only", "held back, server had room", "held back, server window spent")


def _ticks(intervals: list[tuple[float, float]], t0: float, n: int) -> list[int]:
    """How many of ``intervals`` cover each tick from ``t0`` (difference array, O(n + intervals))."""
    diff = [0] * (n + 1)
    for a, b in intervals:
        i, j = max(0, int((a - t0) / TICK)), min(n, int(math.ceil((b - t0) / TICK)))
        if j > i:
            diff[i] += 1
            diff[j] -= 1
    out, run = [], 0
    for d in diff[:n]:
        run += d
        out.append(run)
    return out


def analyse(log: list[tuple[float, str, int, Any]], probe: dict[str, Any], started_at: float, wall: float,
            limit: int, window: float, minimum: int) -> dict[str, Any]:
    """The account of one run: seconds per state, lost capacity per cause, the pacer's own cost."""
    admitted = sorted(t for t, _path, status, *_ in log if status != 429)
    first, last = admitted[0], admitted[-1]
    rate = limit / window
    n = int((last - first) / TICK) + 1
    tokens = {str(a[3]): (a[1], probe["releases"].get(str(a[3]), a[1])) for a in probe["acquires"]}
    waiting = _ticks([(a[0], a[1]) for a in probe["acquires"]], first, n)
    flying = _ticks(list(tokens.values()), first, n)
    used: Counter[int] = Counter()
    per_tick_spent: list[bool] = []
    k_of = [int(math.floor((first + i * TICK) / window)) for i in range(n)]
    j = 0
    for i in range(n):  # admitted so far in the tick's server window
        now = first + i * TICK
        while j < len(admitted) and admitted[j] <= now:
            used[int(math.floor(admitted[j] / window))] += 1
            j += 1
        per_tick_spent.append(used[k_of[i]] >= limit)
    state_ticks: dict[int, Counter[str]] = {}
    seconds: Counter[str] = Counter()
    for i in range(n):
        state = (STATES[3] if per_tick_spent[i] else STATES[2]) if waiting[i] else (STATES[1] if flying[i] else STATES[0])
        state_ticks.setdefault(k_of[i], Counter())[state] += 1
        seconds[state] += TICK
    final = Counter(int(math.floor(t / window)) for t in admitted)
    lost: Counter[str] = Counter()
    for k, states in state_ticks.items():
        lo, hi = max(first, k * window), min(last, (k + 1) * window)
        capacity = limit * (hi - lo) / window  # the window's slots that fall inside the request span
        deficit = max(0.0, capacity - final[k])
        idle = {s: c for s, c in states.items() if s != STATES[3]}
        total = sum(idle.values())
        for s, c in idle.items():
            lost[s] += deficit * c / total / rate if total else 0.0
    idle_where: Counter[str] = Counter()  # sampled main-thread location while nothing is wanted
    lib_of: dict[str, Counter[str]] = {}
    for t, loc in probe.get("samples", []):
        i = int((t - first) / TICK)
        inside = 0 <= i < n
        if (inside and not waiting[i] and not flying[i]) or (not inside and started_at <= t <= started_at + wall):
            ours, _, lib = loc.partition(" > ")
            if ours.startswith("cli/materialize_cmd.py") and lib.split(" > ")[0] != "-":
                ours = "dagster " + lib.split(" > ")[0]  # inside execute_in_process: name Dagster's frame
            lib = lib.split(" > ")[-1]
            idle_where[ours] += 0.05
            lib_of.setdefault(ours, Counter())[lib] += 1
    takes = probe["txn"].get("PaceStore.take", [])
    n_req = len(admitted)
    return {
        "wall": wall, "bound": minimum / rate, "own_bound": n_req / rate, "requests": n_req,
        "before_first": first - started_at, "after_last": started_at + wall - last, "span": last - first,
        "seconds": dict(seconds), "lost": dict(lost),
        "windows": [final[k] for k in range(int(first // window), int(last // window) + 1)],
        "decisions": probe["decisions"],
        "txn_per_request": {k: len(v) / n_req for k, v in probe["txn"].items()},
        "txn_ms": {k: (1e3 * statistics.mean(v), 1e3 * sorted(v)[int(0.95 * (len(v) - 1))]) for k, v in probe["txn"].items() if v},
        "statements_per_request": {k: v / n_req for k, v in probe["statements"].items()},
        "take_calls_per_acquire": sum(a[2] for a in probe["acquires"]) / max(1, len(probe["acquires"])),
        "take_seconds": sum(takes),
        "idle_where": [(k, v, lib_of[k].most_common(1)[0][0]) for k, v in idle_where.most_common(12)],
    }


def render(variants: list[tuple[str, dict[str, Any]]], limit: int, window: float) -> list[str]:
    """Markdown: the wall-time account of each variant side by side, their states and the pacer's cost."""
    rate = limit / window
    a0 = variants[0][1]
    names = ["minimum requests ÷ rate (the bound)", "requests above the minimum ÷ rate", "before the first request (run start-up)",
             *[f"unused server capacity while: {s}" for s in STATES[:3]], "after the last request (final commits, run end)"]

    def values(a: dict[str, Any]) -> list[float]:
        return [a["bound"], a["own_bound"] - a["bound"], a["before_first"], *[a["lost"].get(s, 0.0) for s in STATES[:3]],
                a["after_last"]]

    cols = [values(a) for _, a in variants]
    lines = ["| where the wall time goes (s, and x bound) | " + " | ".join(label for label, _ in variants) + " |",
             "|---|" + "---:|" * len(variants)]
    for i, name in enumerate(names):
        lines.append(f"| {name} | " + " | ".join(f"{c[i]:.1f} ({c[i] / a0['bound']:.3f})" for c in cols) + " |")
    lines.append("| **sum** (the rest: partial windows at both ends) | "
                 + " | ".join(f"**{sum(c):.1f} ({sum(c) / a0['bound']:.3f})**" for c in cols) + " |")
    lines.append("| measured wall | " + " | ".join(f"{a['wall']:.1f} ({a['wall'] / a['bound']:.3f})" for _, a in variants) + " |")
    lines += ["", "Time between the first and the last request, by state (seconds; several senders can wait at once, a tick counts once):", "",
              "| state | " + " | ".join(label for label, _ in variants) + " |", "|---|" + "---:|" * len(variants)]
    lines += [f"| {s} | " + " | ".join(f"{a['seconds'].get(s, 0.0):.1f}" for _, a in variants) + " |" for s in STATES]
    for label, a in variants:
        per = ", ".join(f"`{k}` {v:.2f} ({a['txn_ms'].get(k, (0, 0))[0]:.1f} ms mean, {a['txn_ms'].get(k, (0, 0))[1]:.1f} ms p95)"
                        for k, v in sorted(a["txn_per_request"].items()))
        stm = ", ".join(f"`{k}` {v:.1f}" for k, v in sorted(a["statements_per_request"].items()))
        dec = ", ".join(f"{k} {v}" for k, v in sorted(a["decisions"].items(), key=lambda kv: -kv[1])) or "none"
        lines += ["", f"**{label}**: {a['requests']} requests ({rate:g} req/s allowed). State-database transactions per "
                  f"request: {per}. SQL statements per request: {stm}. `take()` calls per acquire: "
                  f"{a['take_calls_per_acquire']:.2f}. Waits decided, by rule: {dec}. Requests admitted per server window: "
                  + " ".join(map(str, a["windows"]))]
    lines += ["", f"Where the main thread was while no request was wanted or in flight ({variants[0][0]}; stack samples every "
              "50 ms, before the first and after the last request included; innermost `tiktok_assets` frame, or Dagster's "
              "when inside its execution, then the innermost frame):", "",
              "| frame | seconds | innermost frame (most samples) |", "|---|---:|---|"]
    lines += [f"| `{k}` | {v:.1f} | `{lib}` |" for k, v, lib in a0["idle_where"]]
    return lines + [""]


def probed_run(ctx: Context, label: str, env: dict[str, str], minimum: int) -> tuple[Measurement, dict[str, Any]]:
    """One rate-bound ``ours`` run with the pace probe; its account."""
    out = ctx.fresh_out(f"scenario-pace-{len(label)}-{abs(hash(label)) % 10_000}")
    probe_file = out / "pace-probe.json"
    m = ctx.measure("ours", "pace", label="ours (probed)", out=out, env={**env, "BENCH_PACE_PROBE": str(probe_file)})
    result = json.loads((out / "result-ours (probed).json").read_text())
    a = analyse(ctx.sim.request_log, json.loads(probe_file.read_text()), float(result["started_at"]), m.wall,
                ctx.rate_limit or 1, ctx.rate_window, minimum)
    (out / "pace-account.json").write_text(json.dumps(a, indent=1))
    return m, a


VARIANTS = (("ceiling = the limit (as above)", {}), ("server's pace (SCAVIO_RATE_LIMIT unset)", {"SCAVIO_RATE_LIMIT": ""}))
ALONE_REQUESTS = 500  # per sender process: 10 windows of 50 per 2 s


def pace(ctx: Context) -> tuple[list[str], list[Target]]:
    """The pipeline probed twice (ceiling set / unset), then the pacer alone; Markdown and targets."""
    minimum = universe_minimum(ctx.sim.universe, ctx.workload).total
    limit, window = ctx.rate_limit or 1, ctx.rate_window
    runs = [(label, *probed_run(ctx, label, env, minimum)) for label, env in VARIANTS]
    lines = ["### Where the rate-bound wall time goes", "",
             f"`ours` in the rate-bound regime ({limit} per {window:g} s) with the pacer probed (`benchmarks/pace_probe.py`: "
             "acquire/release times, state-database transactions, main-thread stack samples), lined up with the "
             "simulator's request log. Twice: with `SCAVIO_RATE_LIMIT` at the server's limit as in the regime above (a "
             "sliding-window ceiling: at most the limit in any window, each send counted until one window after its "
             "answer; one SQLite state, one clock, so no skew margin), and with it unset (the server's `X-RateLimit-*` alone). 429s: "
             + ", ".join(f"{m.n429} ({label})" for label, m, _ in runs) + ".", ""]
    lines += render([(label, a) for label, _m, a in runs], limit, window)
    alone = [(c, n, run_senders(ctx.sim, n, ALONE_REQUESTS, limit, window, ctx.concurrency, ctx.work / f"alone-{n}-{c}", ceiling=c))
             for c in (True, False) for n in (1, 2)]
    with SimulatorServer(replace(ctx.sim.config, port=0, rate_window_kind="sliding")) as sliding:
        slid = [(n, run_senders(sliding, n, ALONE_REQUESTS, limit, window, ctx.concurrency, ctx.work / f"alone-{n}-sliding",
                                ceiling=False)) for n in (1, 2)]
    lines += ["#### The pacer alone", "",
              f"Processes sending {ALONE_REQUESTS} profile requests each through the client ({ctx.concurrency} threads, no "
              "Dagster, no lake), one SQLite state (one host), all starting at a server window's start, so every sender "
              "always has a request ready: the ratio is the pacer's own cost (`benchmarks/pace_client.py`). The last two "
              "rows are served by a simulator whose window slides (at most the limit in any window; `X-RateLimit-Reset` "
              "is when the oldest counted request leaves it, so one slot frees): the platform notes do not say which "
              "kind Scavio's is, and the pacer must keep 0 429s on both.", "", *HEADER]
    lines += [row("server headers + ceiling" if c else "server headers", r) for c, _n, r in alone]
    lines += [row("server headers, sliding window", r) for _n, r in slid] + [""]
    server = runs[1][2]
    held = server["lost"].get(STATES[2], 0.0)
    targets = [Target("rate-bound, server's pace: unused capacity while the pacer held senders back",
                      f"{held:.1f} s ({held / server['bound']:.3f}x bound)", "<= 0.02x bound",
                      held <= 0.02 * server["bound"] and runs[1][1].ok and runs[1][1].n429 == 0)]
    for c, n, r in alone:
        procs = f"{n} process{'es' if n > 1 else ''}"
        if c:  # the ceiling's margin and answer-time stamps are its documented price, not a target
            targets.append(Target(f"pacer alone, ceiling = the limit, {procs}: wall vs bound (0 429s required)",
                                  f"{r.ratio:.3f}x, {r.n429} 429s", "the ceiling's price (one latency per window)",
                                  None if r.n429 == 0 and not any(r.codes) else False))
        else:
            targets.append(Target(f"pacer alone, server's pace, {procs}: wall vs bound", f"{r.ratio:.3f}x, {r.n429} 429s",
                                  "<= 1.05x, 0 429s", r.ratio <= 1.05 and r.n429 == 0 and not any(r.codes)))
    for n, r in slid:
        procs = f"{n} process{'es' if n > 1 else ''}"
        targets.append(Target(f"pacer alone, server's pace, sliding window, {procs}: wall vs bound",
                              f"{r.ratio:.3f}x, {r.n429} 429s", "<= 1.05x, 0 429s",
                              r.ratio <= 1.05 and r.n429 == 0 and not any(r.codes)))
    return lines, targets
