"""docs/data-dictionary.md stays in step with the schemas (a renamed or retyped column fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tiktok_assets.lake.schemas import ENTITY_KIND, SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### (\w+)\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_column_documented_with_its_type(table):
    section = sections()[table]
    documented = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, flags=re.M))
    assert documented == {f.name: str(f.type) for f in SCHEMAS[table]}
    assert f"- **Table:** `<lake>/{table}/` (Delta, partitioned by `partition_date`; " in section
    if table != "credit_ledger":
        assert f"`tracked_entity` = the {ENTITY_KIND[table]})" in section
    assert "**Grain:**" in section and "**Natural id:**" in section
