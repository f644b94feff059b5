"""Rows of the ``credit_ledger`` table from the client's :class:`LedgerEntry` records.

Why a separate function: ledger rows are not API items (no ``raw``, no tracked entity). They belong
to one flush (``flush_id``, filled by the lake when it writes them), and ``partition_date`` is the UTC
day of ``requested_at`` so a run crossing midnight still files each request under its own day.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

import pyarrow as pa

from tiktok_assets.lake.flatten import FlattenError
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.scavio.types import LedgerEntry


def ledger_rows(entries: Sequence[LedgerEntry], *, run_id: str | None = None) -> pa.RecordBatch:
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
