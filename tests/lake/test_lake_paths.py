"""Names in the lake: table and day checks (keys are columns, never path segments)."""

from __future__ import annotations

from datetime import date

import pytest

from tiktok_assets.lake.paths import LakePathError, entity_kind, format_date
from tiktok_assets.lake.store import Lake


def test_days_and_kinds():
    assert format_date(date(2026, 1, 2)) == "2026-01-02" == format_date("2026-01-02")
    assert entity_kind("videos") == "source" and entity_kind("credit_ledger") == "run"


def test_table_layout(tmp_path):
    lake = Lake(str(tmp_path / "l"))
    assert lake.table_uri("posts") == f"{tmp_path}/l/posts"
    assert lake.partition_dir("posts", "2026-11-20", "any key/at all") == f"{tmp_path}/l/posts/partition_date=2026-11-20"


@pytest.mark.parametrize("call, message", [
    (lambda: entity_kind("nope"), "unknown lake table 'nope'"),
    (lambda: format_date("20-11-2026"), "YYYY-MM-DD"),
    (lambda: format_date(20261120), "must be a date"),
    (lambda: Lake("/tmp/x").table_uri("nope"), "unknown lake table 'nope'"),
])
def test_bad_names_raise_clear_errors(call, message):
    with pytest.raises(LakePathError) as info:
        call()
    assert message in str(info.value)


CWD_PROBE = r"""
import json, os, sys
sys.path.insert(0, os.environ["PROBE_REPO"])
from tests.lake.lake_worker import D, rows
from tiktok_assets import settings
from tiktok_assets.dbt.lake_files import live_files
from tiktok_assets.dbt.project import dbt_env
from tiktok_assets.lake.store import LakeResource

writer = LakeResource(lake_url=os.environ["TIKTOK_LAKE_URL"]).get_lake()
writer.write_partition("posts", D, "e", rows("e", [1, 2]))
dbt_lake, cli_lake = dbt_env()["TIKTOK_LAKE_URL"], settings.lake_url()
default = LakeResource().get_lake().root
os.environ.pop("TIKTOK_LAKE_URL")
print(json.dumps({"writer": writer.root, "dbt": dbt_lake, "cli": cli_lake, "default_writer": default,
                  "default_dbt": dbt_env()["TIKTOK_LAKE_URL"], "dbt_files": live_files(dbt_lake)["posts"]}))
"""


def test_writer_and_dbt_agree_on_a_relative_lake_url_from_another_cwd(tmp_path):
    """A relative TIKTOK_LAKE_URL is relative to the project root for the writer, dbt and the CLI alike,
    whatever the current directory of the process (README: Configuration)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tiktok_assets.settings import PROJECT_ROOT

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    relative = os.path.relpath(tmp_path / "lake", PROJECT_ROOT)
    env = {**os.environ, "TIKTOK_LAKE_URL": relative, "PROBE_REPO": str(PROJECT_ROOT)}
    env.pop("TIKTOK_S3_ENDPOINT_URL", None)
    proc = subprocess.run([sys.executable, "-c", CWD_PROBE], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["writer"] == got["dbt"] == got["cli"] == str(tmp_path / "lake")
    assert got["dbt_files"] and all(f.startswith(f"{tmp_path}/lake/posts/") for f in got["dbt_files"])
    assert got["default_writer"] == got["default_dbt"] == str(PROJECT_ROOT / "data" / "lake")
    assert list(elsewhere.iterdir()) == []  # nothing written relative to the process's cwd
    assert Path(got["writer"], "posts", "_delta_log").is_dir()
