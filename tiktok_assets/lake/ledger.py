"""Rows of the ``credit_ledger`` table from request records (the client's ``LedgerEntry``, or any
object with the same fields: :class:`LedgerRecord`).

Why a separate function: ledger rows are not API items (no ``raw``, no tracked entity). They belong
to one flush (``flush_id``, filled by the lake when it writes them), and ``partition_date`` is the UTC
day of ``requested_at`` so a run crossing midnight still files each request under its own day.

Why a protocol: the storage layer must not import the API client. The lake states what it reads of a
record; :class:`tiktok_assets.scavio.types.LedgerEntry` has those fields and is passed as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Protocol

import pyarrow as pa

from tiktok_assets.lake.flatten import FlattenError
from tiktok_assets.lake.schemas import SCHEMAS


class LedgerRecord(Protocol):
    """What one ``credit_ledger`` row is made from: one request that reached the API."""

    @property
    def endpoint(self) -> str: ...
    @property
    def params_hash(self) -> str: ...
    @property
    def http_status(self) -> int: ...
    @property
    def credits_used(self) -> int: ...
    @property
    def credits_remaining(self) -> int | None: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def requested_at(self) -> float: ...  # unix seconds
    @property
    def asset(self) -> str | None: ...
    @property
    def partition(self) -> str | None: ...
    @property
    def entity(self) -> str | None: ...
    @property
    def run_id(self) -> str | None: ...


def ledger_rows(entries: Sequence[LedgerRecord], *, run_id: str | None = None) -> pa.RecordBatch:
    """One row per entry; ``run_id`` fills entries that do not carry their own."""
    schema = SCHEMAS["credit_ledger"]
    cols: dict[str, list] = {name: [] for name in schema.names}
    for index, entry in enumerate(entries):
        rid = entry.run_id or run_id
        if not rid:
            raise FlattenError(f"credit_ledger: entry {index} ({entry.endpoint}) has no run_id and none was passed")
        moment = datetime.fromtimestamp(float(entry.requested_at), tz=timezone.utc)
        cols["run_id"].append(rid)
        cols["asset"].append(entry.asset)
        cols["partition"].append(entry.partition)
        cols["endpoint"].append(entry.endpoint)
        cols["entity"].append(entry.entity)
        cols["params_hash"].append(entry.params_hash)
        cols["http_status"].append(int(entry.http_status))
        cols["credits_used"].append(int(entry.credits_used))
        cols["credits_remaining"].append(None if entry.credits_remaining is None else int(entry.credits_remaining))
        cols["latency_ms"].append(float(entry.latency_ms))
        cols["requested_at"].append(int(moment.timestamp()))
        cols["flush_id"].append(None)
        cols["partition_date"].append(moment.date())
    return pa.RecordBatch.from_pydict(cols, schema=schema)
