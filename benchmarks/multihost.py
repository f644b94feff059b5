"""Scenario ``multihost``: two and three hosts sharing one key, rate-bound, state in PostgreSQL.

Two measurements per host count, both against the same simulator limit:

- **pipeline hosts**: each host is a ``materialize`` subprocess (the full workload, split by entity)
  with its own ``TIKTOK_STATE_DIR``, ``DAGSTER_HOME`` and output folder; what they share is
  ``TIKTOK_STATE_URL`` (a real PostgreSQL started here, as in ``tests/deploy``) and the key. On a
  small machine this is CPU-bound (several Dagster processes), so it shows 429s and credits more
  than the pace;
- **client hosts**: each host is a process sending :data:`CLIENT_REQUESTS` profile requests through
  the real client (no Dagster), so the combined pace against the bound is the pacer's own.

Reported: combined wall (first to last request at the simulator) against requests ÷ rate, 429s, and
credits (the simulator's counts).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from typing import Any

from .harness import Context, status_count
from .report import Measurement, Target

MB = 1024 * 1024
HOST_COUNTS = (2, 3)
CLIENT_REQUESTS = 150  # per client host
CLIENT = """
import sys
from tiktok_assets.scavio.client import ScavioClient
client = ScavioClient.from_env(run_id=sys.argv[1])
names = [f"creator_{i % 40 + 1:04d}" for i in range(int(sys.argv[2]))]
for _, result in client.map_concurrent(lambda name: client.profile(username=name), names):
    pass
"""


def split(workload: Any, n: int) -> list[Any]:
    """``n`` disjoint slices of the workload's entities (every host gets at least one account)."""
    accounts = list(workload.accounts)
    return [replace(workload, accounts=accounts[i::n] or accounts[:1], hashtags=list(workload.hashtags)[i::n],
                    keywords=list(workload.keywords)[i::n]) for i in range(n)]


def run_hosts(ctx: Context, n: int, state_url: str) -> tuple[list[str], list[Target]]:
    parts = split(ctx.workload, n)
    results: list[Measurement] = []
    ctx.sim.reset()
    saved = os.environ.get("TIKTOK_STATE_URL")
    os.environ["TIKTOK_STATE_URL"] = state_url  # contenders inherit the harness environment
    t0 = time.perf_counter()
    try:
        def go(i: int) -> None:
            state = ctx.fresh_out(f"multihost-{n}-host{i + 1}-state")  # each host its own (unused) state dir
            results.append(ctx.measure("ours", f"multihost-{n}", label=f"host {i + 1} of {n}", workload=parts[i],
                                       reset=False, state=state))

        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if saved is None:
            os.environ.pop("TIKTOK_STATE_URL", None)
        else:
            os.environ["TIKTOK_STATE_URL"] = saved
    total_span = time.perf_counter() - t0
    log = ctx.sim.request_log
    span = (log[-1][0] - log[0][0]) if len(log) > 1 else total_span
    stats = ctx.sim.stats()
    total = sum(int(v) for v in stats.get("requests", {}).values())
    n429, credits = status_count(stats, 429), int(stats.get("charged", 0))
    rate = (ctx.rate_limit or 1) / ctx.rate_window
    bound = total / rate
    lines = [f"### {n} pipeline hosts sharing one key (rate-bound, state in PostgreSQL)", "",
             f"{n} `materialize` processes started together; separate state dirs, Dagster homes and outputs; shared "
             f"`TIKTOK_STATE_URL`. Combined: {total} requests, {credits} credits, {n429} 429s, "
             f"{span:.1f} s from the first to the last request (all processes: {total_span:.1f} s with start-up) = "
             f"{total / span if span else 0:.1f} req/s vs the limit {rate:.1f} req/s; bound {bound:.1f} s.", "",
             "| host | wall s | peak RSS MB | rows | status |", "|---|---:|---:|---:|---|"]
    lines += [f"| {m.contender} | {m.wall:.1f} | {m.peak_rss / MB:.0f} | {m.rows} | {'ok' if m.ok else m.error[:100]} |"
              for m in sorted(results, key=lambda r: r.contender)]
    lines.append("")
    return lines, [
        Target(f"{n} pipeline hosts, one key: 429s", str(n429), "0", n429 == 0),
        Target(f"{n} pipeline hosts: combined wall vs requests ÷ rate", f"{span / bound:.2f}x ({credits} credits)",
               "<= 1.10x", span <= 1.10 * bound),
    ]


def client_hosts(ctx: Context, n: int, state_url: str, work: Any) -> tuple[list[str], list[Target]]:
    """``n`` client processes, separate state dirs, one ``TIKTOK_STATE_URL``: the pacer across hosts."""
    ctx.sim.reset()
    env = {**os.environ, "SCAVIO_API_KEY": ctx.contender_env(work)["SCAVIO_API_KEY"], "SCAVIO_BASE_URL": ctx.sim.url,
           "SCAVIO_MAX_CONCURRENCY": str(ctx.concurrency), "TIKTOK_STATE_URL": state_url,
           "PYTHONPATH": ctx.contender_env(work)["PYTHONPATH"]}
    env.pop("SCAVIO_RATE_LIMIT", None)  # the server's headers set the pace
    procs = [subprocess.Popen([sys.executable, "-c", CLIENT, f"client-host-{i}", str(CLIENT_REQUESTS)],
                              env={**env, "TIKTOK_STATE_DIR": str(work / f"client-state-{n}-{i}")})
             for i in range(n)]
    codes = [p.wait() for p in procs]
    log = sorted(t for t, *_ in ctx.sim.request_log)
    stats = ctx.sim.stats()
    span = log[-1] - log[0] if len(log) > 1 else 0.0
    n429, credits = status_count(stats, 429), int(stats.get("charged", 0))
    rate = (ctx.rate_limit or 1) / ctx.rate_window
    bound = len(log) / rate
    lines = [f"### {n} client hosts sharing one key (rate-bound, state in PostgreSQL, pace from the server)", "",
             f"{n} processes x {CLIENT_REQUESTS} profile requests through the client, `SCAVIO_RATE_LIMIT` unset: "
             f"{len(log)} requests, {credits} credits, {n429} 429s in {span:.1f} s = {len(log) / span if span else 0:.1f} "
             f"req/s vs the limit {rate:.1f} req/s; bound {bound:.1f} s ({span / bound if bound else 0:.2f}x). "
             f"Exit codes {codes}.", ""]
    return lines, [
        Target(f"{n} client hosts, one key: 429s", str(n429), "0", n429 == 0),
        Target(f"{n} client hosts: combined wall vs requests ÷ rate", f"{span / bound:.2f}x ({credits} credits)",
               "<= 1.10x", span <= 1.10 * bound),
    ]


def multihost(ctx: Context) -> tuple[list[str], list[Target]]:
    """Both host counts on one PostgreSQL (a fresh database each)."""
    from tests.deploy.postgres import running_postgres  # the tests' PostgreSQL launcher

    lines: list[str] = []
    targets: list[Target] = []
    work = ctx.fresh_out("multihost-clients")
    with running_postgres() as pg:
        for n in HOST_COUNTS:
            for measure in (run_hosts, client_hosts):
                args = (work,) if measure is client_hosts else ()
                sec, tg = measure(ctx, n, pg.url(pg.create_database(f"bench{n}")), *args)
                lines += sec
                targets += tg
    return lines, targets
