"""Row counts on the dbt models' materializations, read after ``dbt build`` has released the warehouse.

Why not dagster-dbt's ``fetch_row_counts()``: it queries each table while dbt is still building, from
a second connection. DuckDB allows one process to hold a file open for writing, so those queries
fail with "Could not set lock on file" and the counts go missing. Here the events of the build are
held until dbt exits (a build emits a few dozen events), the warehouse is opened read-only once, and
every model's event gets ``dagster/row_count`` before it is handed to Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dagster import AssetMaterialization, MetadataValue, Output


def counted(events: Iterable[Any], manifest: Mapping[str, Any], warehouse: str) -> Iterator[Any]:
    """Yield ``events`` once the stream ends, model events with their row count added.

    If the build fails, the events it produced still go out (with counts) before the error, so
    the models that did build are recorded.
    """
    held: list[Any] = []
    failure: BaseException | None = None
    try:
        for event in events:
            held.append(event)
    except Exception as exc:  # noqa: BLE001 - re-raised below, after the held events
        failure = exc
    relations = {uid: node.get("relation_name") for uid, node in manifest.get("nodes", {}).items()}
    wanted = {_unique_id(e): relations.get(_unique_id(e)) for e in held if isinstance(e, (Output, AssetMaterialization))}
    counts = _count(warehouse, {uid: rel for uid, rel in wanted.items() if uid and rel})
    for event in held:
        uid = _unique_id(event) if isinstance(event, (Output, AssetMaterialization)) else None
        if uid in counts:
            event = event.with_metadata({**event.metadata, "dagster/row_count": MetadataValue.int(counts[uid])})
        yield event
    if failure is not None:
        raise failure


def _unique_id(event: Any) -> str | None:
    value = (event.metadata or {}).get("unique_id")
    return getattr(value, "value", value)


def _count(warehouse: str, relations: Mapping[str, str]) -> dict[str, int]:
    """``count(*)`` per relation from a read-only connection; a relation that fails is left out."""
    if not relations or warehouse == ":memory:":
        return {}
    import duckdb

    out: dict[str, int] = {}
    con = duckdb.connect(warehouse, read_only=True)
    try:
        for uid, relation in relations.items():
            try:
                out[uid] = int(con.execute(f"select count(*) from {relation}").fetchall()[0][0])
            except duckdb.Error:
                continue
    finally:
        con.close()
    return out
