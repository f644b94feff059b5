"""The Dagster instance folder of the embedded default: one ``DAGSTER_HOME`` for the demo, the CLI and the UI.

Why one folder: runs launched by ``make demo`` or ``tiktok-assets materialize`` must show in ``make dev``.
Why a shipped ``dagster.yaml``: telemetry off (offline machines, no surprise traffic), and the pools
the assets claim (``tiktok_assets/pools.py``) need limits in the instance: ``default_limit: 1`` makes
``duckdb_warehouse`` a pool of one (DuckDB allows one writer) and lets one API step at a time wait on
the key's pace; raise the API pool with ``dagster instance concurrency set scavio_api N``. Run
monitoring frees the slots of runs whose process died. An existing ``dagster.yaml`` is never touched:
it may be the user's own. Production uses ``docs/deploy/dagster.yaml`` (PostgreSQL) instead.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME_DIR = ".dagster_home"

INSTANCE_YAML = """\
# Dagster instance of the embedded default (make demo, make dev, tiktok-assets materialize).
# Written by tiktok_assets/instance_home.py when absent; edit freely, it is not overwritten.
telemetry:
  enabled: false
concurrency:
  pools:
    granularity: op
    default_limit: 1
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 30
"""


def ensure_dagster_home(home: Path) -> Path:
    """Create ``home`` with the shipped ``dagster.yaml`` unless one is there; return the folder."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        tmp = cfg.with_name(f".dagster.yaml.{os.getpid()}")
        tmp.write_text(INSTANCE_YAML)
        os.replace(tmp, cfg)  # two processes starting together never see half a file
    return home
