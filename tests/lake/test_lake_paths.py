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
