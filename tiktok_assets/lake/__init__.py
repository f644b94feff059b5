"""The lake: Delta Lake tables (delta-rs) with explicit schemas, flattening, batched commits and the capture log.

Why this package sets ``_RJEM_MALLOC_CONF``: delta-rs allocates through its own jemalloc, which by
default keeps an arena per group of threads and holds freed pages for 10 s. A lake commit of a huge
entity (a million comments) frees and reallocates far more than it holds at any moment, so with the
defaults the process peaks well above what the commit needs. One arena and freed pages returned at
once (:data:`DELTA_ALLOCATOR_CONF`) measured, on the million-comment partition of the benchmark
(2026-12-02): peak RSS 660 and 654 MB against 780, 785 and 816 MB (the commit's increase 182 MB
instead of 305 to 331 MB), at about 2 s more per million rows committed (a replayed commit took 6.3 s
instead of 4.0 s). Two full benchmark loads with it took 49.5 and 47.2 s against 46.3 and 46.2 s
without, inside that machine's spread (46 to 56 s) but both slower: it may cost a second or two there.

jemalloc reads the variable once, when deltalake's native library makes its first allocation, so it
must be in the environment before ``deltalake`` is imported: every module of the product imports
deltalake inside ``tiktok_assets.lake`` (lazily), after this package. ``setdefault``: a value the
user set (even empty, for jemalloc's defaults) is kept. Child processes inherit it; it only affects
libraries built on the same Rust jemalloc crate.

Why it also sets ``ARROW_DEFAULT_MEMORY_POOL``: pyarrow's own pool (mimalloc by default in the
Linux wheels) keeps the pages of the batch buffer, the spill reads and the flattened pages after
they are freed. Its jemalloc pool returns them. On the million-comment partition (2026-12-05, same
code, side by side): peak RSS 506 MB against 585 MB, the streaming level 356 against 431 MB, the
run 122 s against 130 s (no CPU cost visible). pyarrow reads the variable when it loads, so it is
set before; if pyarrow was loaded first (a module that imports it before this package), the pool is
switched with ``pyarrow.set_memory_pool`` (buffers already allocated keep their own pool), if that
pyarrow has the pool. Linux on x86-64 only: pyarrow's macOS and Windows wheels, and its Linux ARM
wheels since 18.0 (apache/arrow#44380), are built without jemalloc, and there the variable would only
make pyarrow print a warning in every process. A value the user set is kept.
"""

import os
import platform
import sys

DELTA_ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"
DELTA_ALLOCATOR_CONF = "narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0"

os.environ.setdefault(DELTA_ALLOCATOR_ENV, DELTA_ALLOCATOR_CONF)

ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
ARROW_POOL = "jemalloc"


def _use_arrow_pool() -> None:
    """pyarrow's allocations through its jemalloc pool, unless the user chose a pool (module docstring)."""
    if (sys.platform, platform.machine()) != ("linux", "x86_64"):
        return
    if os.environ.setdefault(ARROW_POOL_ENV, ARROW_POOL) != ARROW_POOL:
        return
    if "pyarrow" in sys.modules:  # loaded before the variable was set: it will not read it again
        import pyarrow

        if pyarrow.default_memory_pool().backend_name != ARROW_POOL and ARROW_POOL in pyarrow.supported_memory_backends():
            pyarrow.set_memory_pool(pyarrow.jemalloc_memory_pool())


_use_arrow_pool()
