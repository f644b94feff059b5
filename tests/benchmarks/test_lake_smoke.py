"""Smoke run of the lake benchmark (``benchmarks.lake_year``) at a tiny scale, so it cannot rot.

Asserts the report's tables and the raw values, never timings: 3 accounts x 6 days with a
re-observation window of 2 days, checkpoints at 3 and 6 days, one measured day each, no dbt (the
dbt builds are what make the real run take minutes; they are tested in tests/dbt). The expected file
counts follow from the synthetic history: each daily run commits one file per day it covers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--accounts", "3", "--days", "6", "--checkpoints", "3", "--repeats", "1", "--reobserve-days", "2", "--no-dbt"]
# (days, table) -> (files before, files after compaction)
FILES = {
    # day 3: posts runs covered 1, 2 and 3 days (6 files), one file per day once compacted
    (3, "posts"): (6, 3), (3, "comments"): (3, 3), (3, "followers"): (3, 3), (3, "credit_ledger"): (3, 3),
    (3, "_captures"): (9, 3),  # one append per data table and day, compacted per table
    # day 6: days 1-4 maintained during the first checkpoint (4 files), then runs 5 and 6 (3 files each)
    (6, "posts"): (10, 6), (6, "comments"): (6, 6), (6, "followers"): (6, 6), (6, "credit_ledger"): (6, 6),
    (6, "_captures"): (9, 3),
}
PER_DAY = ("write one more day", "daily maintenance (compact + vacuum)", "`tiktok-assets estimate` (whole tracked set)",
           "budget sensor tick (`evaluate_credit_budget`)",
           "one run's 11 band checks (`credits_within_history_band`, ledger window followed)")
COMPARED = "the same checks re-reading the window for each check (the code before 2026-12-03)"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    tmp = tmp_path_factory.mktemp("lake-bench")
    report, raw = tmp / "BENCHMARKS_LAKE.md", tmp / "lake.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.lake_year", *ARGS, "--output", str(report), "--json", str(raw),
         "--workdir", str(tmp / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return report.read_text(encoding="utf-8"), json.loads(raw.read_text())


def _rows(text: str, header: str) -> list[list[str]]:
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    return [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()[1:] if line.startswith("| ")]


@pytest.mark.timeout(300)
def test_report_counts_the_files_of_the_synthetic_history(tiny_run: tuple[str, dict]) -> None:
    text, raw = tiny_run
    assert text.startswith("# Lake benchmark: 6 days at 3 accounts")
    assert "`python -m benchmarks.lake_year --accounts 3 --days 6 --repeats 1 --reobserve-days 2 --no-dbt`" in text
    rows = _rows(text, "| days | table | files before | MB before | files after compaction | MB after |")
    got = {(int(r[0]), r[1]): (int(r[2]), int(r[4])) for r in rows}
    assert got == FILES
    for r in rows:
        assert float(r[3]) >= float(r[5]) >= 0
    by_days = {c["days"]: c for c in raw["checkpoints"]}
    assert {d: {t: v[0] for t, v in c["before"].items()} for d, c in by_days.items()} == {
        d: {t: FILES[(d, t)][0] for t in c["before"]} for d, c in by_days.items()}
    # the shared state's ledger holds every request: 4 per account and day, days 1-7 written
    assert raw["state_ledger_rows"] == 3 * 4 * 7
    assert f"({raw['state_ledger_rows']:,} rows at the end;" in text


@pytest.mark.timeout(300)
def test_report_has_a_number_for_every_per_day_cost(tiny_run: tuple[str, dict]) -> None:
    text, raw = tiny_run
    rows = {r[0]: r for r in _rows(text, "| per-day cost |")}
    for label in PER_DAY:
        row = rows[label]
        for cell in row[1:3]:
            assert re.fullmatch(r"\d+\.\d+ \(\d+\.\d+-\d+\.\d+\)", cell), row
        assert re.fullmatch(r"\d+\.\d\dx", row[3]) and row[4] in ("yes", "**no**"), row
    compared = rows[COMPARED]  # measured side by side with the band checks' followed window
    assert all(re.fullmatch(r"\d+\.\d+ \(\d+\.\d+-\d+\.\d+\)", cell) for cell in compared[1:3]), compared
    assert re.fullmatch(r"\(side by side: \d+\.\dx, \d+\.\dx the followed window's\)", compared[4]), compared
    assert rows["`dbt build` after it"][1:3] == ["not measured", "not measured"]
    assert "maintenance with a full vacuum" in text and "`dbt build`: not measured (`--no-dbt`)." in text
    for checkpoint in raw["checkpoints"]:
        for key in ("write_s", "maintenance_s", "estimate_s", "sensor_s", "band_checks_s", "band_reread_s"):
            assert checkpoint[key]["median"] > 0 and len(checkpoint[key]["samples"]) == 1
        assert checkpoint["full_vacuum_s"] > 0 and "dbt_build_s" not in checkpoint
