"""Pure functions from API items to Arrow record batches matching :data:`schemas.SCHEMAS`.

Why columnar: one list per column, then ``pa.RecordBatch.from_pydict(..., schema=...)``; no per-row
pandas, and the explicit schema means an empty page still yields the exact table schema. Missing
fields become null (see :mod:`tiktok_assets.lake.coerce`); a missing *natural id* or caller column
that the schema declares non-null is a :class:`FlattenError` naming the table, the column and the
item, because such a row could never be joined or deduplicated.

``extra`` supplies the columns the API item does not carry (:data:`columns.CALLER_COLUMNS`: keyword,
search rank, owner of a follower list, ...). A scalar applies to every item; a list or tuple gives
one value per item (e.g. ``search_rank=[41, 42, ...]``) and must have ``len(items)`` entries. Where a
column exists in both (``aweme_id`` of a comment), the item's value wins and ``extra`` fills nulls.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Sequence

import pyarrow as pa

from tiktok_assets.lake.coerce import to_int, to_text
from tiktok_assets.lake.columns import CALLER_COLUMNS, SPECS, subject
from tiktok_assets.lake.schemas import PARTITION_FIELDS, SCHEMAS

_PARTITION_COLUMNS = frozenset(f.name for f in PARTITION_FIELDS)


class FlattenError(ValueError):
    """Items or arguments cannot form valid rows of a lake table."""


def raw_json(item: Any) -> str:
    """The item as compact JSON, unicode kept as is (the ``raw`` column)."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str)


def epoch_seconds(moment: datetime, what: str = "captured_at") -> int:
    """Unix seconds of a timezone-aware datetime (naive ones are refused: their zone is a guess)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise FlattenError(f"{what} must be a timezone-aware datetime, got {moment!r}")
    return int(moment.astimezone(timezone.utc).timestamp())


def _extra_column(table: str, name: str, value: Any, n: int) -> list[Any]:
    """Broadcast a scalar or check a per-item list, coercing to the column's type like API values."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise FlattenError(f"{table}: extra[{name!r}] has {len(value)} values for {n} items")
        values = list(value)
    else:
        values = [value] * n
    kind = SCHEMAS[table].field(name).type
    coerce = to_int if pa.types.is_integer(kind) else to_text if pa.types.is_string(kind) else None
    if coerce is None:
        return values
    out = [coerce(v) for v in values]
    for original, converted in zip(values, out):
        if original is not None and converted is None:
            raise FlattenError(f"{table}: extra[{name!r}] value {original!r} is not a valid {kind}")
    return out


def _check_extra(table: str, extra: dict[str, Any]) -> None:
    schema = SCHEMAS[table]
    for name in extra:
        if name in _PARTITION_COLUMNS or name == "raw":
            raise FlattenError(f"{table}: extra[{name!r}] is set from the flatten() arguments, not extra")
        if schema.get_field_index(name) < 0:
            raise FlattenError(f"{table}: extra[{name!r}] is not a column of {table}; columns: {schema.names}")


def _item_label(items: Sequence[dict[str, Any]], index: int) -> str:
    item = items[index]
    for key in ("aweme_id", "cid", "sec_uid", "uid", "unique_id"):
        if isinstance(item, dict) and item.get(key) not in (None, ""):
            return f"item {index} ({key}={item[key]!r})"
    return f"item {index}"


def flatten(table: str, items: Sequence[dict[str, Any]], **where: Any) -> pa.RecordBatch:
    """Rows of ``table`` for ``items`` (dicts exactly as the API sent them), one per item, in order.

    Keyword arguments as :func:`flatten_columns` (``partition_date``, ``tracked_entity``,
    ``captured_at``, ``extra``)."""
    return to_batch(table, flatten_columns(table, items, **where))


def to_batch(table: str, columns: dict[str, list[Any]]) -> pa.RecordBatch:
    """One record batch of ``table`` from :func:`flatten_columns` output (or several of them joined).

    Why separate: the conversion to Arrow releases and retakes the GIL once per column, and each
    retake waits for the other busy threads' switch interval (measured: 0.3 ms alone, 11-17 ms beside
    two busy threads, for one 50-comment page). Callers that receive many small pages on many
    threads (:class:`tiktok_assets.assets.sink.DaySink`) join pages' columns and convert once.
    """
    schema = SCHEMAS[table]
    try:
        return pa.RecordBatch.from_pydict({f.name: columns[f.name] for f in schema}, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise FlattenError(f"{table}: values do not fit the schema: {exc}") from exc


def flatten_columns(
    table: str,
    items: Sequence[dict[str, Any]],
    *,
    partition_date: date,
    tracked_entity: str,
    captured_at: datetime,
    extra: dict[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """The rows of :func:`flatten` as Python lists, one per column of the schema, checked for nulls
    where the schema forbids them; only the Arrow types are left to :func:`to_batch` to check."""
    if table not in SPECS:
        hint = " (use ledger_rows())" if table == "credit_ledger" else ""
        raise FlattenError(f"cannot flatten table {table!r}{hint}; API tables: {sorted(SPECS)}")
    if isinstance(partition_date, datetime) or not isinstance(partition_date, date):
        raise FlattenError(f"{table}: partition_date must be a date, got {partition_date!r}")
    if not isinstance(tracked_entity, str) or not tracked_entity:
        raise FlattenError(f"{table}: tracked_entity must be a non-empty string, got {tracked_entity!r}")
    captured = epoch_seconds(captured_at)
    extra = dict(extra or {})
    _check_extra(table, extra)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise FlattenError(f"{table}: item {index} is a {type(item).__name__}, not a JSON object")

    schema = SCHEMAS[table]
    n = len(items)
    subjects = [subject(table, item) for item in items]
    columns: dict[str, list[Any]] = {}
    for name, (_source, extract) in SPECS[table].items():
        columns[name] = [extract(s) for s in subjects]
    for name, value in extra.items():
        supplied = _extra_column(table, name, value, n)
        own = columns.get(name)
        columns[name] = supplied if own is None else [o if o is not None else x for o, x in zip(own, supplied)]
    columns["partition_date"] = [partition_date] * n
    columns["tracked_entity"] = [tracked_entity] * n
    columns["captured_at"] = [captured] * n
    columns["raw"] = [raw_json(item) for item in items]

    for field in schema:
        values = columns.get(field.name)
        if values is None:
            if not field.nullable and n:
                expected = CALLER_COLUMNS.get(table, ())
                where = "pass it in extra" if field.name in expected else "the items do not carry it"
                raise FlattenError(f"{table}: required column {field.name!r} is missing ({where})")
            columns[field.name] = [None] * n
        elif not field.nullable and None in values:
            bad = values.index(None)
            raise FlattenError(
                f"{table}: required column {field.name!r} is null for {_item_label(items, bad)}"
            )
    return {f.name: columns[f.name] for f in schema}
