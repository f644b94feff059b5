"""Schema drift: fields the API sends (kept in ``raw``) that no typed column reads, new since before.

Why "new since before": every item keeps its full JSON in ``raw``, and many of its fields are
deliberately left untyped (URL lists, nested render data). What an analyst needs to hear about is a
field the API *added*: present in the latest capture day's ``raw`` of a table, not read by any typed
column (``lake/columns.py``), and absent from every item captured in the ``baseline_days`` capture
days before. The first capture of a table has no baseline and reports nothing.

Only top-level fields of the item's subject are compared (the dict the table's columns read:
``user_info`` for search users, ``challengeInfo`` for hashtags), so a new nested field shows as
its parent only if the parent itself is new.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tiktok_assets.lake.columns import SPECS, subject

BASELINE_DAYS = 7
_SEGMENT = re.compile(r"^[A-Za-z0-9_]+")


def typed_fields(table: str) -> set[str]:
    """Top-level subject fields a typed column reads (``statistics`` for ``statistics.play_count``)."""
    out = set()
    for source, _extract in SPECS.get(table, {}).values():
        match = _SEGMENT.match(source)
        if match:
            out.add(match.group(0))
    return out


@dataclass
class DriftReport:
    table: str
    capture_day: date | None
    baseline_days: list[date] = field(default_factory=list)
    new_fields: dict[str, int] = field(default_factory=dict)  # field -> rows of the latest capture carrying it
    examples: dict[str, str] = field(default_factory=dict)  # field -> where to look

    @property
    def drifted(self) -> bool:
        return bool(self.new_fields)

    def describe(self) -> str:
        if self.capture_day is None:
            return f"{self.table}: no capture yet"
        if not self.baseline_days:
            return f"{self.table}: first capture day {self.capture_day}, no baseline yet"
        if not self.new_fields:
            return f"{self.table}: no new untyped field on {self.capture_day} (baseline {len(self.baseline_days)} capture days)"
        return f"{self.table}: new untyped field(s) on {self.capture_day}: " + "; ".join(
            f"{name} in {n} row(s), e.g. {self.examples[name]}" for name, n in sorted(self.new_fields.items()))


def _keys(table: str, raw: str) -> set[str]:
    try:
        item = json.loads(raw)
    except ValueError:
        return set()
    return set(subject(table, item)) if isinstance(item, dict) else set()


def drift_report(lake: Any, table: str, baseline_days: int = BASELINE_DAYS) -> DriftReport:
    """Compare the latest capture day of ``table`` with the ``baseline_days`` capture days before it."""
    stamps = lake.read(table, columns=["captured_at"])["captured_at"]
    if len(stamps) == 0:
        return DriftReport(table, None)
    capture_days = sorted(set(pc.cast(stamps, pa.date32()).to_pylist()))  # UTC days: the instants are UTC
    latest = capture_days[-1]
    baseline = [d for d in capture_days[:-1] if d >= latest - timedelta(days=baseline_days)]
    report = DriftReport(table, latest, baseline)
    if not baseline:
        return report
    columns = ["tracked_entity", "raw", "partition_date"]
    known = typed_fields(table)
    seen_before: set[str] = set()
    for day in baseline:  # only the baseline's capture days are read, never the whole history
        for raw in lake.read(table, columns=["raw"], captured_on=day)["raw"].to_pylist():
            seen_before |= _keys(table, raw)
    counts: Counter[str] = Counter()
    for row in lake.read(table, columns=columns, captured_on=latest).to_pylist():
        for name in _keys(table, row["raw"]) - known - seen_before:
            counts[name] += 1
            report.examples.setdefault(name, f"{table} partition_date={row['partition_date']} "
                                             f"tracked_entity={row['tracked_entity']!r}: raw.{name}")
    report.new_fields = dict(counts)
    return report
