"""The pacer alone: client processes sending profile requests on one key, no Dagster, no lake.

Why: a pipeline run mixes the pacer's efficiency with the pipeline's idle time (Dagster steps, lake
commits). Here every sender always has a request ready, so the span from the first to the last
request against requests ÷ rate is the pacer's own overhead, and 429s are its own mistakes.
Processes share the default SQLite state (one ``TIKTOK_STATE_DIR``, as on one host) or a
``TIKTOK_STATE_URL``.

Standalone (own simulator): ``python -m benchmarks.pace_client --requests 500 --procs 1 2 [--no-ceiling]
[--window-kind sliding]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .harness import API_KEY, ROOT, status_count

SENDER = """
import sys, time
from tiktok_assets.scavio.client import ScavioClient
client = ScavioClient.from_env(run_id=sys.argv[1])
names = [f"creator_{i % 40 + 1:04d}" for i in range(int(sys.argv[2]))]
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # every sender starts at one server window's start
for _, result in client.map_concurrent(lambda name: client.profile(username=name), names):
    if isinstance(result, BaseException):
        print(type(result).__name__, result, file=sys.stderr)
client.close()
"""


START_AHEAD = 6.0  # seconds for the senders' imports before the common start


@dataclass
class PaceRun:
    procs: int
    requests: int
    limit: int
    window: float
    start: float  # a server window's start; every sender waits for it
    last: float  # the last admitted request, at the simulator
    n429: int
    codes: list[int]
    cpu_seconds: float = 0.0  # user + system CPU of the sender processes (all of it: the pacer is most of their work)

    @property
    def bound(self) -> float:
        """From a window's start, n requests need (n - limit) ÷ rate: a limit's worth goes out at once,
        then one limit per window (phase-free, unlike a span from the first request)."""
        return max(0.0, self.requests - self.limit) / (self.limit / self.window)

    @property
    def ratio(self) -> float:
        return (self.last - self.start) / self.bound if self.bound else 0.0


def run_senders(sim: Any, procs: int, requests: int, limit: int, window: float, concurrency: int, state: Path,
                ceiling: bool = True, state_url: str | None = None) -> PaceRun:
    """``procs`` processes x ``requests`` profile requests on one key, all starting at one window's start."""
    sim.reset()
    env = {**os.environ, "SCAVIO_API_KEY": API_KEY, "SCAVIO_BASE_URL": sim.url, "SCAVIO_MAX_CONCURRENCY": str(concurrency),
           "TIKTOK_STATE_DIR": str(state), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("TIKTOK_STATE_URL", None)
    if state_url:
        env["TIKTOK_STATE_URL"] = state_url
    if ceiling:
        env.update(SCAVIO_RATE_LIMIT=str(limit), SCAVIO_RATE_WINDOW_SECONDS=str(window))
    else:
        env.pop("SCAVIO_RATE_LIMIT", None)
    start = (int((time.time() + START_AHEAD) // window) + 1) * window
    children = [subprocess.Popen([sys.executable, "-c", SENDER, f"pace-{i}", str(requests), repr(start)], env=env)
                for i in range(procs)]
    cpu, codes = 0.0, []
    for c in children:
        _pid, status, usage = os.wait4(c.pid, 0)
        c.returncode = os.waitstatus_to_exitcode(status)
        codes.append(c.returncode)
        cpu += usage.ru_utime + usage.ru_stime
    admitted = sorted(t for t, _p, status, *_ in sim.request_log if status != 429)
    return PaceRun(procs, len(admitted), limit, window, start, admitted[-1] if admitted else start,
                   status_count(sim.stats(), 429), codes, cpu)


def row(label: str, r: PaceRun) -> str:
    return (f"| {label} | {r.procs} | {r.requests} | {r.last - r.start:.1f} | {r.bound:.1f} | {r.ratio:.3f}x | {r.n429} | "
            f"{1e3 * r.cpu_seconds / max(1, r.requests):.1f} |")


HEADER = ["| pacer | processes | requests | window start to last request s | (requests - limit) ÷ rate s | "
          "ratio | 429s | sender CPU ms per request (imports included) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]


def main(argv: list[str] | None = None) -> None:
    from tiktok_assets.simulator.config import RATE_WINDOW_KINDS, SimulatorConfig
    from tiktok_assets.simulator.server import SimulatorServer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=500, help="per process")
    ap.add_argument("--procs", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--no-ceiling", action="store_true", help="leave SCAVIO_RATE_LIMIT unset (server headers only)")
    ap.add_argument("--window-kind", choices=RATE_WINDOW_KINDS, default=RATE_WINDOW_KINDS[0],
                    help="the simulator's rate window: fixed, or sliding (Reset frees one slot)")
    args = ap.parse_args(argv)
    cfg = SimulatorConfig(seed=42, api_key=API_KEY, now=time.time(), rate_limit=args.limit, rate_window=args.window,
                          rate_window_kind=args.window_kind, n_generated_accounts=40)
    print("\n".join(HEADER))
    with SimulatorServer(cfg) as sim, tempfile.TemporaryDirectory() as tmp:
        for n in args.procs:
            r = run_senders(sim, n, args.requests, args.limit, args.window, args.concurrency, Path(tmp) / f"state-{n}",
                            ceiling=not args.no_ceiling)
            print(row(f"server headers ({args.window_kind} window)" + ("" if args.no_ceiling else " + ceiling"), r), flush=True)


if __name__ == "__main__":
    main()
