"""The definitions as a reviewable snapshot: asset keys and partitions, checks, jobs, schedules, sensors, pools.

Loading ``tiktok_assets.definitions`` reads the prepared dbt manifest; it starts no server and needs no
Dagster instance. After an intended change, regenerate the file (see :mod:`tests.unit.snapshot`).
"""

from __future__ import annotations

from tests.unit.snapshot import REGENERATE, SNAPSHOT, diff, render, summary


def test_definitions_match_the_committed_snapshot():
    current = render(summary())
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    changes = diff(current, committed)
    assert not changes, (f"the definitions changed; if that is intended, regenerate the snapshot with\n"
                         f"    {REGENERATE}\nand commit tests/unit/{SNAPSHOT.name}. Diff:\n{changes[:6000]}")


def test_snapshot_shape():
    data = summary()
    assert set(data) == {"assets", "jobs", "schedules", "sensors", "pools"}
    posts = data["assets"]["tiktok/posts"]
    assert posts["pool"] == "scavio_api" and "entities_ok" in posts["checks"]
    assert all(s["default_status"] in ("RUNNING", "STOPPED") for s in [*data["schedules"].values(), *data["sensors"].values()])


def test_the_code_location_never_imports_the_simulator() -> None:
    """The simulator is a first-class part of the project (demo, tests, benchmarks) but not of what a
    deployment loads: importing the definitions must not import it."""
    import subprocess
    import sys

    code = ("import sys, tiktok_assets.definitions; "
            "print(sorted(m for m in sys.modules if m.startswith('tiktok_assets.simulator')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_code_location_does_not_import_pyarrow_dataset() -> None:
    """``pyarrow.dataset`` costs about 0.35 s to import (measured 2026-12-03), a sizeable part of the code
    location's load budget (issue 14: under 5 s with dbt). The lake's readers import it at their first read."""
    import subprocess
    import sys

    code = "import sys, tiktok_assets.definitions; print('pyarrow.dataset' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
