"""Instrumentation of the shared pacer inside a contender process (benchmarks only, never the product).

Why: the rate-bound wall time is the sum of the time the pacer holds senders back, the time the
pipeline has nothing to send (Dagster steps, lake commits) and the pacer's own cost (state-database
round trips). Only the contender process knows when a sender started waiting and why, so
``install()`` wraps the pacer's calls and the state stores' transactions in place and writes one JSON
file at exit, which :mod:`benchmarks.pace_account` lines up with the simulator's request log.
Enabled by ``BENCH_PACE_PROBE=<file>`` in :mod:`benchmarks.ours`.
"""

from __future__ import annotations

import atexit
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_local = threading.local()
acquires: list[tuple[float, float, int, int]] = []  # (start, end, store.take calls, token) per acquire()
releases: dict[int, float] = {}  # token -> when release() was called (the answer or the error arrived)
txn: dict[str, list[float]] = {}  # "Store.method" -> durations (s) of its locked transaction
decisions: Counter[str] = Counter()  # which rule set each non-zero wait
statements: Counter[str] = Counter()  # SQL statements by "Store.method"
samples: list[tuple[float, str]] = []  # (time, where the main thread is) every SAMPLE_SECONDS
SAMPLE_SECONDS = 0.05


def _timed(owner: type, name: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)
    label = f"{owner.__name__}.{name}"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = getattr(_local, "method", None)
        _local.method = outer or label
        if name == "take":
            _local.takes = getattr(_local, "takes", 0) + 1
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            took = time.perf_counter() - t
            _local.method = outer
            with _lock:
                txn.setdefault(label, []).append(took)

    setattr(owner, name, wrapper)


def classify(pacer: Any, view: Any) -> str:
    """The rule that holds a sender back in ``view`` (mirrors ``SharedPacer._decide``)."""
    from tiktok_assets.scavio import ratelimit as rl

    if view.blocked_until > view.now:
        return "blocked (429 pause)"
    if not view.answered and view.in_flight():
        return "first answer pending"
    server = rl.server_wait(view, pacer.window, pacer.poll)
    ceiling = rl.window_wait(view, pacer.limit, pacer.window, pacer.poll, pacer.margin) if pacer.limit else 0.0
    if ceiling > server:
        return "ceiling (SCAVIO_RATE_LIMIT)"
    before_reset = view.srv_reset is not None and view.now < view.srv_reset
    if before_reset:
        return "server: window spent, answers in flight" if server <= pacer.poll else "server: window spent, until reset"
    return "server: new window full"


def where(frame: Any) -> str:
    """``ours > dagster > innermost``: the innermost frames of our code, of Dagster, and overall."""
    ours = dag = lib = None
    while frame is not None:
        name = frame.f_code.co_filename
        if lib is None and "/threading.py" not in name:
            lib = f"{Path(name).parent.name}/{Path(name).name}:{frame.f_code.co_name}"
        if dag is None and "/dagster/" in name:
            dag = f"{name.split('/dagster/')[-1]}:{frame.f_code.co_name}"
        if ours is None and "/tiktok_assets/" in name:
            ours = f"{name.split('/tiktok_assets/')[-1]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return f"{ours or '-'} > {dag or '-'} > {lib or '-'}"


def _sampler(main_id: int, stop: threading.Event) -> None:
    """Sample the main thread's stack: where the pipeline spends the time it sends nothing."""
    while not stop.wait(SAMPLE_SECONDS):
        frame = sys._current_frames().get(main_id)
        if frame is not None:
            samples.append((time.time(), where(frame)))


def install(out: str | Path) -> None:
    """Wrap the pacer and the state stores; write the figures to ``out`` when the process exits."""
    from sqlalchemy import Engine, event

    from tiktok_assets.scavio.ratelimit import SharedPacer
    from tiktok_assets.state.ledger import LedgerStore
    from tiktok_assets.state.pace import PaceStore
    from tiktok_assets.state.spend import SpendStore

    for owner, names in ((PaceStore, ("take", "finish", "prune", "cap_block", "block")),
                         (LedgerStore, ("append",)), (SpendStore, ("reserve", "adjust"))):
        for name in names:
            if hasattr(owner, name):
                _timed(owner, name)

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        method = getattr(_local, "method", None)
        if method:
            with _lock:
                statements[method] += 1

    decide = SharedPacer._decide

    def traced_decide(self: SharedPacer, view: Any) -> float:
        wait = decide(self, view)
        if wait > 0:
            outer, _local.method = getattr(_local, "method", None), "probe (classifying waits)"
            kind = classify(self, view)
            _local.method = outer
            with _lock:
                decisions[kind] += 1
        return wait

    acquire = SharedPacer.acquire

    def traced_acquire(self: SharedPacer) -> int:
        start, _local.takes = time.time(), 0
        token = acquire(self)
        with _lock:
            acquires.append((start, time.time(), _local.takes, token))
        return token

    release = SharedPacer.release

    def traced_release(self: SharedPacer, token: int, headers: Any = None) -> None:
        with _lock:
            releases[token] = time.time()
        release(self, token, headers)

    SharedPacer._decide = traced_decide  # type: ignore[method-assign]
    SharedPacer.acquire = traced_acquire  # type: ignore[method-assign]
    SharedPacer.release = traced_release  # type: ignore[method-assign]
    stop = threading.Event()
    threading.Thread(target=_sampler, args=(threading.main_thread().ident, stop), daemon=True).start()
    atexit.register(dump, out)
    atexit.register(stop.set)


def dump(out: str | Path) -> None:
    with _lock:
        doc = {"acquires": acquires, "releases": {str(k): v for k, v in releases.items()}, "txn": txn, "decisions": dict(decisions), "statements": dict(statements),
               "samples": list(samples)}
    Path(out).write_text(json.dumps(doc))
