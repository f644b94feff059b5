"""Decorator arguments of the two TikTok families (one place for naming, partitions, checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import warnings

import pyarrow as pa
from dagster import AssetKey, AssetSpec, BetaWarning, TableColumn, TableColumnConstraints, TableSchema

# ``backfill_policy`` is marked beta in dagster 1.13, and single-run backfills are a deliberate design
# choice here (tested in tests/assets/test_backfill.py); don't repeat the warning.
warnings.filterwarnings("ignore", message=r".*backfill_policy.*", category=BetaWarning)

from ..checks import KEY_PREFIX, entities_ok_spec
from ..catalog import CATALOG
from ..partitions import daily_partitions, single_run
from ..pools import SCAVIO_API_POOL
from .table_checks import table_check_specs

GROUP = "tiktok"


def asset_spec(name: str) -> AssetSpec:
    """The asset's ``AssetSpec`` in its family's ``@multi_asset`` (``families.py``): everything but the
    body, from the asset's catalog entry.

    Key ``tiktok/<name>``; event assets get the daily partitions (their family has single-run
    backfills); snapshot assets have no partitions (each run captures now, see the README's "Partitions").
    """
    info = CATALOG[name]
    return AssetSpec(
        key=asset_key(name),
        group_name=GROUP,
        deps=[asset_key(d) for d in info.deps],
        description=info.description,
        kinds={"deltalake"},
        tags={"tiktok/semantics": info.semantics},
        metadata={"semantics": info.semantics, "lake_table": name, "dagster/column_schema": column_schema(name)},
        partitions_def=daily_partitions if info.partitioned else None,
    )


def family_kwargs(names: Sequence[str]) -> dict[str, Any]:
    """``@multi_asset(**family_kwargs(names))``: the specs, each asset's ``entities_ok`` check and table
    checks (``table_checks.py``), the API pool, and (for the event family) the daily partitions with
    single-run backfills."""
    partitioned = {CATALOG[n].partitioned for n in names}
    assert len(partitioned) == 1, "a multi_asset has one partitions definition: one family per semantics"
    kwargs: dict[str, Any] = {
        "specs": [asset_spec(n) for n in names],
        "check_specs": [spec for n in names for spec in (entities_ok_spec(n), *table_check_specs(n))],
        "can_subset": True,
        "pool": SCAVIO_API_POOL,
    }
    if partitioned.pop():
        kwargs.update(partitions_def=daily_partitions, backfill_policy=single_run)
    return kwargs


def column_schema(table: str) -> TableSchema:
    """The lake table's pyarrow schema as Dagster's column schema (the UI's "Columns" tab).

    Derived from ``lake/schemas.py``, the one place the columns are defined, so the UI can never show
    columns the table does not have; each column's description is the data dictionary's (the same
    text dbt's sources carry).
    """
    from ..dbt.sources_yml import COLUMN_DOCS
    from ..lake.schemas import SCHEMAS

    return TableSchema(columns=[
        TableColumn(f.name, _type_name(f.type), description=COLUMN_DOCS.get(f.name),
                    constraints=TableColumnConstraints(nullable=f.nullable))
        for f in SCHEMAS[table]
    ])


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return f"timestamp[{t.unit}, {t.tz}]" if t.tz else f"timestamp[{t.unit}]"
    return str(t)


def asset_key(name: str) -> AssetKey:
    return AssetKey([KEY_PREFIX, name])
