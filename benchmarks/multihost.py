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
from dataclasses import replace
from typing import Any

from .harness import Context
from .report import Measurement, Target
from .scenarios import combined_wall, key_load, process_table, together

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
    ctx.sim.reset()
    saved = os.environ.get("TIKTOK_STATE_URL")
    os.environ["TIKTOK_STATE_URL"] = state_url  # contenders inherit the harness environment
    try:
        def go(i: int) -> Measurement:
            state = ctx.fresh_out(f"multihost-{n}-host{i + 1}-state")  # each host its own (unused) state dir
            return ctx.measure("ours", f"multihost-{n}", label=f"host {i + 1} of {n}", workload=parts[i],
                               reset=False, state=state)

        results, total_span = together(n, go)
    finally:
        if saved is None:
            os.environ.pop("TIKTOK_STATE_URL", None)
        else:
            os.environ["TIKTOK_STATE_URL"] = saved
    load = key_load(ctx, total_span)
    span, bound = load.span, load.bound
    lines = [f"### {n} pipeline hosts sharing one key (rate-bound, state in PostgreSQL)", "",
             f"{n} `materialize` processes started together; separate state dirs, Dagster homes and outputs; shared "
             f"`TIKTOK_STATE_URL`. Combined: {load.requests} requests, {load.credits} credits, {load.n429} 429s, "
             f"{span:.1f} s from the first to the last request (all processes: {total_span:.1f} s with start-up) = "
             f"{load.requests / span if span else 0:.1f} req/s vs the limit {load.rate:.1f} req/s; bound {bound:.1f} s.", "",
             *process_table("host", results)]
    return lines, [
        Target(f"{n} pipeline hosts, one key: 429s", str(load.n429), "0", load.n429 == 0),
        combined_wall(f"{n} pipeline hosts: combined wall vs requests ÷ rate", load, 1.10, f"{load.credits} credits",
                      sum(not m.ok for m in results), "host"),
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
    load = key_load(ctx, 0.0)
    span, bound = load.span, load.bound
    lines = [f"### {n} client hosts sharing one key (rate-bound, state in PostgreSQL, pace from the server)", "",
             f"{n} processes x {CLIENT_REQUESTS} profile requests through the client, `SCAVIO_RATE_LIMIT` unset: "
             f"{load.requests} requests, {load.credits} credits, {load.n429} 429s in {span:.1f} s = "
             f"{load.requests / span if span else 0:.1f} req/s vs the limit {load.rate:.1f} req/s; bound {bound:.1f} s "
             f"({span / bound if bound else 0:.2f}x). Exit codes {codes}.", ""]
    return lines, [
        Target(f"{n} client hosts, one key: 429s", str(load.n429), "0", load.n429 == 0),
        combined_wall(f"{n} client hosts: combined wall vs requests ÷ rate", load, 1.10, f"{load.credits} credits",
                      sum(code != 0 for code in codes), "host"),
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
