"""The Dagster concurrency pools, named once.

Why pools: runs launched at the same time (a schedule's two runs, a backfill, a click in the UI) must
not write the DuckDB warehouse together (DuckDB allows one writer per file), and API steps share one
key. Pools are counted in the instance database, so they hold across every host of a deployment.
Limits live in the instance (``concurrency: pools: default_limit`` in the shipped ``dagster.yaml``,
or ``dagster instance concurrency set <pool> <n>``), not in code.
"""

from __future__ import annotations

# Every step that sends requests with the Scavio key. The per-key pace and the credit budget are
# enforced per request by the client; the pool bounds how many API steps wait on that pace at once.
SCAVIO_API_POOL = "scavio_api"
# Every dbt step: one writer of the DuckDB warehouse file at a time.
WAREHOUSE_POOL = "duckdb_warehouse"
