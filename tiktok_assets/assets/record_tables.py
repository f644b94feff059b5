"""The two lake tables the runs write about themselves: ``credit_ledger`` and ``entity_status``.

Why as ``AssetSpec`` s: they are not materialized by an asset of their own (every API asset run
appends to them), but the dbt models read them, so without a definition the UI would show two bare,
undescribed keys. As external assets they carry the same description and column schema as their dbt
sources (``dbt/sources_yml.py``'s ``TABLE_DOCS`` and the lake schemas: each fact written once).
"""

from __future__ import annotations

from dagster import AssetSpec

from ..checks import KEY_PREFIX
from ..dbt.sources_yml import TABLE_DOCS
from .decorator_args import column_schema

RECORD_TABLES = ("credit_ledger", "entity_status")

record_table_specs = [
    AssetSpec([KEY_PREFIX, table], description=f"{TABLE_DOCS[table]} Appended by every API asset run; no credits.",
              group_name="tiktok_budget" if table == "credit_ledger" else "tiktok", kinds={"deltalake"},
              metadata={"lake_table": table, "dagster/column_schema": column_schema(table)})
    for table in RECORD_TABLES
]
