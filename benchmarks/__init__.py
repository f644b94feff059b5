"""Benchmark harness: our pipeline vs a naive loop vs dlt, against the local simulator.

Run ``python -m benchmarks.run`` (``make bench``); ``--quick`` is the smoke-sized run used by
``tests/benchmarks``. Results go to ``BENCHMARKS.md``.
"""
