"""Benchmark harness: our pipeline vs a naive loop vs dlt, against the local simulator.

Run ``python -m benchmarks.run`` (``make bench``); ``--quick`` is the smoke-sized run used by
``tests/benchmarks``. Results go to ``BENCHMARKS.md``.
"""

import os

# The environment the benchmark was started with, taken before any module imports the product: importing
# ``tiktok_assets.lake`` sets its allocator variables in this process's environment (for our own
# processes), and ``proc.inherited_env`` keeps them from contenders that are not ours.
STARTED_ENV = dict(os.environ)
