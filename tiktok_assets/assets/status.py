"""The ``entity_status`` lake table: how each tracked entity's capture went, per asset run.

Why a table: a deleted account (404) writes no rows, which in the data tables looks like "nothing
new". Analysts need to tell "deleted", "private or empty", "list cap hit" and "captured" apart, with
first/last seen dates, and marts must mark a deleted account instead of silently keeping its last
numbers. Every asset run appends one row per entity it handled (one commit), after its data commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..lake.schemas import SCHEMAS

if TYPE_CHECKING:
    from .asset_run import AssetRun

NOT_FOUND_MARK = "not found (deleted, private or unknown)"  # fanout.describe_entity_error's wording


def classify(outcome: Any) -> tuple[str, str | None]:
    """(status, detail) of one entity outcome of a run."""
    notes = "; ".join(outcome.notes) or None
    if outcome.error:
        return ("not_found" if NOT_FOUND_MARK in outcome.error else "failed"), outcome.error
    if any(n.startswith("renamed:") for n in outcome.notes):
        return "renamed", notes
    if any("cap reached" in n for n in outcome.notes):
        return "cap_hit", notes
    if outcome.rows == 0 and getattr(outcome, "skipped", 0):
        return "unchanged", notes
    if outcome.rows == 0:
        return "empty", notes
    return "ok", notes


def status_rows(run: AssetRun, outcomes: Sequence[Any]) -> pa.Table:
    rows = []
    for o in outcomes:
        status, detail = classify(o)
        rows.append({"asset": run.name, "status": status, "detail": detail, "rows": int(o.rows),
                     "window_start": run.window.start, "window_end": run.window.end, "run_id": run.context.run_id,
                     "tracked_entity": o.entity, "captured_at": run.captured_at, "partition_date": run.captured_at.date()})
    return pa.Table.from_pylist(rows, schema=SCHEMAS["entity_status"])
