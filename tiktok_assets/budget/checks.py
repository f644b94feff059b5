"""Asset checks on spend and freshness, for every ``["tiktok", <table>]`` asset.

* ``credits_within_history_band`` - a run's credits per entity-day must stay below ``factor`` (10x)
  times the median of the previous runs of that asset. A sudden 10x is a pagination loop, a
  cursor that stopped moving, or an entity that exploded; WARN so it is seen without blocking data.
* ``entities_fresh`` - every tracked entity of the table was captured recently enough for its
  schedule: snapshot tables by the newest ``captured_at`` row (default 26 h, a daily schedule plus
  slack), event tables by the newest ``date=`` partition (an empty day still writes an empty
  partition, so no rows is not staleness; default 50 h, as a daily run files yesterday's events).

The pure functions (:func:`credit_band`, :func:`stale_entities`) take ``now`` and plain data, so
tests run them without Dagster; :func:`band_result` and :func:`fresh_result` turn them into check
results, which ``assets/table_checks.py`` evaluates for a whole family in one step.
"""


import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from ..lake.schemas import API_TABLES, ENTITY_KIND, SCHEMAS
from ..tracking import load_tracked
from .estimate import EVENT_ASSETS, HISTORY_DAYS, entity_name, window_days
from .settings import utc_now
from .usage import LEDGER

BAND_CHECK = "credits_within_history_band"
FRESH_CHECK = "entities_fresh"
DEFAULT_FACTOR = 10.0
DEFAULT_MAX_AGE_HOURS = {t: (50.0 if t in EVENT_ASSETS else 26.0) for t in API_TABLES}
_TRACKED_KIND = {"account": "accounts", "hashtag": "hashtags", "keyword": "keywords"}


@dataclass(frozen=True)
class Band:
    passed: bool
    run_id: str | None
    value: float | None  # credits per entity-day of the checked run
    median: float | None  # of the previous runs
    previous_runs: int
    description: str


def credit_band(ledger_rows: list[dict], asset: str, run_id: str | None = None, factor: float = DEFAULT_FACTOR,
                min_history: int = 2) -> Band:
    """Compare ``run_id`` (default: the newest run of ``asset``) with the median of earlier runs."""
    per_run: dict[str, dict] = {}
    for row in ledger_rows:
        if row["asset"] != asset:
            continue
        r = per_run.setdefault(row["run_id"], {"credits": 0, "units": {}, "last": row["requested_at"]})
        r["credits"] += int(row["credits_used"])
        r["units"][entity_name(row["entity"])] = window_days(row["partition"])
        r["last"] = max(r["last"], row["requested_at"])
    if not per_run:
        return Band(True, run_id, None, None, 0, f"no ledger rows for {asset} yet")
    ordered = sorted(per_run, key=lambda k: per_run[k]["last"])
    target = run_id if run_id in per_run else ordered[-1]
    value_of = {k: v["credits"] / max(sum(v["units"].values()), 1) for k, v in per_run.items()}
    previous = [value_of[k] for k in ordered[: ordered.index(target)]]
    value = value_of[target]
    if len(previous) < min_history:
        return Band(True, target, value, None, len(previous),
                    f"{value:.1f} credits per entity-day; only {len(previous)} earlier run(s), no band yet")
    median = statistics.median(previous)
    passed = value <= factor * max(median, 1.0)
    verdict = "within" if passed else "ABOVE"
    return Band(passed, target, value, median, len(previous),
                f"{value:.1f} credits per entity-day is {verdict} {factor:g}x the median {median:.1f} of {len(previous)} earlier runs")


def stale_entities(lake, table: str, names: Iterable[str], now: datetime, max_age: timedelta) -> dict[str, str | None]:
    """``entity -> newest capture (ISO) or None`` for every name not captured within ``max_age``."""
    names = list(names)
    cutoff = now - max_age
    days = [cutoff.date() + timedelta(days=i) for i in range((now.date() - cutoff.date()).days + 1)]
    newest: dict[str, str] = {}
    if table in EVENT_ASSETS:
        for day, key in lake.partitions(table):
            if key in names and (key not in newest or day.isoformat() > newest[key]):
                newest[key] = day.isoformat()
        fresh = {k for k, d in newest.items() if date.fromisoformat(d) >= cutoff.date()}
    else:
        rows = lake.read(table, dates=days, keys=names, columns=["tracked_entity", "captured_at"])
        if rows.num_rows:
            grouped = rows.group_by("tracked_entity").aggregate([("captured_at", "max")])
            newest = {k: v.isoformat() for k, v in zip(grouped["tracked_entity"].to_pylist(),
                                                        grouped["captured_at_max"].to_pylist())}
        fresh = {k for k, v in newest.items() if datetime.fromisoformat(v) >= cutoff}
    return {n: newest.get(n) for n in names if n not in fresh}


def band_spec(table: str, factor: float = DEFAULT_FACTOR) -> AssetCheckSpec:
    return AssetCheckSpec(BAND_CHECK, asset=AssetKey(["tiktok", table]), blocking=False,
                          description=f"Credits per entity-day below {factor:g}x the median of earlier runs (ledger).")


def fresh_spec(table: str, hours: float | None = None) -> AssetCheckSpec:
    hours = DEFAULT_MAX_AGE_HOURS[table] if hours is None else hours
    return AssetCheckSpec(FRESH_CHECK, asset=AssetKey(["tiktok", table]), blocking=False,
                          description=f"Every tracked {_tracked_kind(table)[:-1]} captured within {hours:g} h.")


def has_fresh_check(table: str) -> bool:
    """Tables keyed by a tracked entity; not ``videos`` (keyed by the source that found the video)."""
    return ENTITY_KIND[table] in _TRACKED_KIND


BAND_COLUMNS = ["run_id", "asset", "partition", "entity", "credits_used", "requested_at"]


class LedgerWindow:
    """The ledger rows of the band's history window, for the band checks of one family step.

    Why followed (``Lake.follow``) and not read per check: each asset's check runs once it has
    committed and flushed its ledger rows, so a step of eleven assets read the 35-day window eleven
    times (0.16-0.19 s a read with the closed days compacted, 1 s uncompacted, measured 2026-12-03).
    Followed, the first check reads the window and each later one only the ledger files flushed
    since, so every check still sees this run's rows of its asset, whichever process flushed them.
    The window reaches to tomorrow (UTC) for a step that runs past midnight."""

    def __init__(self, lake: Any) -> None:
        today = utc_now().date()
        self.lake = lake
        self._follower = lake.follow(LEDGER, BAND_COLUMNS, dates=[today + timedelta(days=1 - i) for i in range(HISTORY_DAYS + 2)])

    def rows(self) -> pa.Table:
        snapshot = self.lake.snapshot(self._follower)
        return snapshot.rows if snapshot is not None else SCHEMAS[LEDGER].empty_table().select(BAND_COLUMNS)


def band_result(ledger: pa.Table, table: str, run_id: str, factor: float = DEFAULT_FACTOR) -> AssetCheckResult:
    """``credits_within_history_band`` of ``table`` for the run ``run_id``."""
    rows = ledger.filter(pc.equal(ledger["asset"], table)) if ledger.num_rows else ledger
    band = credit_band(rows.to_pylist(), table, run_id=run_id, factor=factor)
    return AssetCheckResult(asset_key=AssetKey(["tiktok", table]), check_name=BAND_CHECK, passed=band.passed,
                            severity=AssetCheckSeverity.WARN, description=band.description,
                            metadata={"run_id": band.run_id or "", "credits_per_entity_day": band.value or 0.0,
                                      "median_previous": band.median or 0.0, "previous_runs": band.previous_runs})


def fresh_result(lake, table: str, hours: float | None = None) -> AssetCheckResult:
    """``entities_fresh`` of ``table``: the tracked entities not captured within ``hours``."""
    hours = DEFAULT_MAX_AGE_HOURS[table] if hours is None else hours
    kind = _tracked_kind(table)
    names = list(load_tracked().of(kind))
    stale = stale_entities(lake, table, names, utc_now(), timedelta(hours=hours))
    desc = (f"all {len(names)} tracked {kind} captured within {hours:g} h" if not stale else
            f"{len(stale)} of {len(names)} {kind} not captured within {hours:g} h: "
            + ", ".join(f"{n} (last {v or 'never'})" for n, v in sorted(stale.items())))
    return AssetCheckResult(asset_key=AssetKey(["tiktok", table]), check_name=FRESH_CHECK, passed=not stale,
                            severity=AssetCheckSeverity.WARN, description=desc,
                            metadata={"stale": sorted(stale), "tracked": len(names), "max_age_hours": hours})


def _tracked_kind(table: str) -> str:
    return _TRACKED_KIND[ENTITY_KIND[table]]
