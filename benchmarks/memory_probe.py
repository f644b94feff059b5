"""Memory instrumentation inside a contender process (benchmarks only, never the product).

Why: a peak RSS says how much, not what. This probe records the process's RSS at named stages
(interpreter, each heavy import, each CLI run's start and end) and samples, every
``SAMPLE_SECONDS``, the RSS, the bytes held by pyarrow's memory pool, the Python heap (when
``tracemalloc`` is on) and where the main thread is, so :mod:`benchmarks.memory_account` can split
the peak into imports, run machinery, Arrow buffers, Python objects and the native rest. With
a trace window it also keeps the allocation sites of the Python objects the stream holds.
Enabled by ``BENCH_MEMORY_PROBE=<file>`` (``BENCH_MEMORY_TRACE=<first>,<last>`` request numbers for
the trace window) in :mod:`benchmarks.ours`.
Only the standard library is imported here, so the "interpreter" stage is not inflated by it.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 0.05
TRACE_FRAMES = 6  # deep enough to reach our code from inside json/pyarrow/httpx
_PAGE = os.sysconf("SC_PAGE_SIZE")

marks: list[tuple[str, float, int]] = []  # (stage, time, rss)
samples: list[tuple[float, int, int, int, str]] = []  # (time, rss, arrow pool bytes, traced bytes, main thread at)
_peak_sites: list[tuple[str, int, int]] = []  # (site, bytes, blocks) live at the trace window's end
_peak_traced = [0, 0.0]  # traced bytes and time of that snapshot


def rss() -> int:
    """Resident set size now (Linux ``/proc/self/statm``: cheap enough to sample every 50 ms)."""
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * _PAGE


def arrow_bytes() -> int:
    """Bytes allocated from pyarrow's default pool (0 before pyarrow is imported, or while it is)."""
    total = getattr(sys.modules.get("pyarrow"), "total_allocated_bytes", None)
    return int(total()) if total is not None else 0


def mark(stage: str) -> None:
    marks.append((stage, time.time(), rss()))


def where(frame: Any) -> str:
    """The innermost frame of our own code (``tiktok_assets``), else the innermost frame."""
    inner = None
    while frame is not None:
        name = frame.f_code.co_filename
        inner = inner or f"{Path(name).name}:{frame.f_code.co_name}"
        if "/tiktok_assets/" in name:
            return f"{name.split('/tiktok_assets/')[-1]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return inner or "-"


def _short(filename: str) -> str:
    """A path without the site-packages, standard-library or repository prefix."""
    for cut in ("/site-packages/", "/tiktok_assets/", "/lib/python3.11/", "/work/main/"):
        filename = filename.split(cut)[-1]
    return filename


def _site(stat: tracemalloc.Statistic) -> str:
    """Where an allocation is held: its innermost frame in our code, then the frame that allocated."""
    frames = list(stat.traceback)  # oldest first
    inner = frames[-1]
    ours = next((f for f in reversed(frames) if "/tiktok_assets/" in f.filename), frames[0])
    label = lambda f: f"{_short(f.filename)}:{f.lineno}"  # noqa: E731
    return label(ours) if ours is inner else f"{label(ours)} via {label(inner)}"


def _snapshot_sites() -> list[tuple[str, int, int]]:
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, __file__)])  # not the probe's own
    stats = snapshot.statistics("traceback")
    grouped: dict[str, list[int]] = {}
    for st in stats:
        key = _site(st)
        acc = grouped.setdefault(key, [0, 0])
        acc[0] += st.size
        acc[1] += st.count
    return sorted(((k, v[0], v[1]) for k, v in grouped.items()), key=lambda r: -r[1])[:25]


def _sampler(stop: threading.Event) -> None:
    main_id = threading.main_thread().ident
    while not stop.wait(SAMPLE_SECONDS):
        try:
            frame = sys._current_frames().get(main_id)  # noqa: SLF001 - a sampling profiler's one way in
            traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
            samples.append((time.time(), rss(), arrow_bytes(), traced, where(frame) if frame is not None else "-"))
        except Exception as exc:  # noqa: BLE001 - a probe must never take the contender down
            print(f"memory probe: sample failed: {exc!r}", file=sys.stderr)


def start(out: str | Path, trace_window: tuple[int, int] | None = None) -> None:
    """Mark the interpreter stage, start sampling, and write everything to ``out`` at exit.

    ``trace_window`` = (first, last) request numbers: ``tracemalloc`` runs only between them (it slows
    allocation-heavy code about sevenfold), so it sees the objects the stream allocates and holds in
    its steady state, not the imports; the snapshot is taken at the last one.
    """
    global _trace_window
    _trace_window = trace_window
    mark("interpreter")
    stop = threading.Event()
    threading.Thread(target=_sampler, args=(stop,), daemon=True, name="memory-probe").start()
    atexit.register(dump, out)
    atexit.register(stop.set)


_trace_window: tuple[int, int] | None = None
_requests = [0]
_count_lock = threading.Lock()


def _count_request() -> None:
    """Start tracing at the window's first request; snapshot and stop at its last."""
    with _count_lock:
        _requests[0] += 1
        n = _requests[0]
    if _trace_window is None:
        return
    if n == _trace_window[0]:
        tracemalloc.start(TRACE_FRAMES)
        mark(f"tracemalloc on (request {n})")
    elif n == _trace_window[1] and tracemalloc.is_tracing():
        traced = tracemalloc.get_traced_memory()[0]
        _peak_sites[:] = _snapshot_sites()
        _peak_traced[:] = [traced, time.time()]
        _overhead[0] = tracemalloc.get_tracemalloc_memory()
        tracemalloc.stop()
        mark(f"tracemalloc off (request {n})")


_overhead = [0]


def hook_stages() -> None:
    """Mark the lake's commits (their start and end) and count requests once ``tiktok_assets`` is imported."""
    from tiktok_assets.lake.batch import TableBatch
    from tiktok_assets.scavio.requester import Requester

    post = Requester.post

    def counted_post(self: Requester, endpoint: str, params: Any) -> Any:
        _count_request()
        return post(self, endpoint, params)

    Requester.post = counted_post  # type: ignore[method-assign]

    commit = TableBatch.commit

    def marked_commit(self: TableBatch) -> Any:
        mark(f"lake commit {self.table} start")
        try:
            return commit(self)
        finally:
            mark(f"lake commit {self.table} end")

    TableBatch.commit = marked_commit  # type: ignore[method-assign]


def dump(out: str | Path) -> None:
    doc = {"marks": marks, "samples": samples, "peak_sites": _peak_sites, "peak_traced": _peak_traced,
           "tracemalloc_overhead": _overhead[0], "trace_window": _trace_window,
           "arrow_pool": sys.modules["pyarrow"].default_memory_pool().backend_name if "pyarrow" in sys.modules else None}
    Path(out).write_text(json.dumps(doc))
