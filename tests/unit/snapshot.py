"""A JSON summary of ``tiktok_assets.definitions``, compared with ``definitions_snapshot.json``.

What it holds: every asset key with its partitions definition type (or null), its pool and its check
names; the jobs; the schedules (default status, cron, job); the sensors (default status); the pools.
Why: a change to the graph (an asset partitioned or not, a check or schedule gone, a sensor that now
starts running by default) shows up as a reviewable diff of one file instead of passing unnoticed.

Regenerate after an intended change, from the repository root::

    .venv/bin/python -m tests.unit.snapshot --update

Without ``--update`` it prints the diff and exits 1 when the definitions differ from the file.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")
REGENERATE = ".venv/bin/python -m tests.unit.snapshot --update"


def _pool(assets_def: Any) -> str | None:
    if not assets_def.is_executable:
        return None
    return getattr(assets_def.node_def, "pool", None)


def summary(defs: Any = None) -> dict[str, Any]:
    """The summary of ``defs`` (default: ``tiktok_assets.definitions.defs``), plain JSON types only."""
    if defs is None:
        from tiktok_assets.definitions import defs
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    checks: dict[str, list[str]] = defaultdict(list)
    for key in graph.asset_check_keys:
        checks[key.asset_key.to_user_string()].append(key.name)
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assets[name] = {
            "partitions": type(node.partitions_def).__name__ if node.partitions_def is not None else None,
            "pool": _pool(node.assets_def),
            "checks": sorted(checks.get(name, [])),
        }
    schedules = {s.name: {"default_status": s.default_status.value, "cron": s.cron_schedule, "job": s.job_name}
                 for s in repo.schedule_defs}
    sensors = {s.name: {"default_status": s.default_status.value} for s in repo.sensor_defs}
    return {
        "assets": dict(sorted(assets.items())),
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": dict(sorted(schedules.items())),
        "sensors": dict(sorted(sensors.items())),
        "pools": sorted({a["pool"] for a in assets.values() if a["pool"]}),
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def diff(current: str, committed: str) -> str:
    """A unified diff from the committed snapshot to the current definitions ('' when equal)."""
    return "".join(difflib.unified_diff(committed.splitlines(keepends=True), current.splitlines(keepends=True),
                                        fromfile=f"{SNAPSHOT.name} (committed)", tofile="definitions (now)"))


def main(argv: list[str]) -> int:
    current = render(summary())
    if "--update" in argv:
        SNAPSHOT.write_text(current, encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
        return 0
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    changes = diff(current, committed)
    if changes:
        print(changes, end="")
        print(f"\nthe definitions differ from {SNAPSHOT}; if intended, regenerate: {REGENERATE}")
        return 1
    print(f"{SNAPSHOT.name}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
