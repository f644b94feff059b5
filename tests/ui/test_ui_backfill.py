"""A backfill of the whole ``tiktok`` group over past days, launched through GraphQL as the UI's
"Materialize all" button launches it, on ``make dev`` (webserver + daemon + simulator, real processes).

What the user must see: every run of the backfill succeeded (snapshot assets are captured once, now;
event assets fill every day of the range), no partition is failed or missing for a reason that is by
design, and each partition's ``dagster/row_count`` is what the lake holds for that day; a rerun of the
same backfill keeps the counts true (and the lake unchanged: captures are idempotent per day).
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.assets.conftest import ALL
from tests.ui.test_make_dev import bare_env
from tests.ui.webserver import Server, free_port, gql, location_status
from tiktok_assets.catalog import EVENT_NAMES, SNAPSHOT_NAMES
from tiktok_assets.assets.windows import today_utc
from tiktok_assets.budget.usage import read_ledger
from tiktok_assets.lake.store import Lake

VENV_BIN = Path(sys.executable).parent

LAUNCH = """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  __typename ... on PartitionBackfill { status } ... on PythonError { message } } }"""
RUNS = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { results { runId status assetSelection { path } tags { key value } } } } }"""
MATERIALIZATIONS = """query($path: [String!]!, $partitions: [String!]) { assetOrError(assetKey: {path: $path}) {
  ... on Asset { assetMaterializations(partitions: $partitions) { partition runId metadataEntries { label __typename
    ... on IntMetadataEntry { intValue } ... on FloatMetadataEntry { floatValue } } } } } }"""
PARTITION_STATS = """query($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
  ... on AssetNode { partitionStats { numMaterialized numFailed numMaterializing } } } }"""

LAUNCH_RUN = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status stepStats { stepKey status }
  eventConnection(afterCursor: null) { events { __typename
    ... on AssetCheckEvaluationEvent { evaluation { checkName success assetKey { path } } } } } } } }"""


def launch_one_check(port: int, server: Server, asset: str, check: str) -> dict[str, Any]:
    """Execute one asset check alone, as the UI's "Execute" button on a check does: the finished run."""
    params = {"selector": {"repositoryLocationName": "tiktok_assets", "repositoryName": "__repository__",
                           "jobName": "__ASSET_JOB", "assetSelection": [],
                           "assetCheckSelection": [{"assetKey": {"path": ["tiktok", asset]}, "name": check}]},
              "mode": "default", "executionMetadata": {"tags": []}}
    launched = gql(port, LAUNCH_RUN, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    def finished(p: int) -> dict[str, Any] | None:
        run = gql(p, RUN, {"id": run_id})["data"]["runOrError"]
        return run if run["status"] in ("SUCCESS", "FAILURE", "CANCELED") else None

    return server.wait_for(finished, timeout=120)


def backfill(port: int, days: list[str], server: Server) -> tuple[str, list[dict[str, Any]]]:
    params = {"partitionNames": days, "fromFailure": False,
              "assetSelection": [{"path": ["tiktok", name]} for name in ALL]}
    launched = gql(port, LAUNCH, {"params": params})["data"]["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill_id = launched["backfillId"]

    def finished(p: int) -> str | None:
        status = gql(p, STATUS, {"id": backfill_id})["data"]["partitionBackfillOrError"]["status"]
        return status if status not in ("REQUESTED", "CANCELING", "FAILING") else None

    status = server.wait_for(finished, timeout=420)
    runs = gql(port, RUNS, {"id": backfill_id})["data"]["runsOrError"]["results"]
    assert status == "COMPLETED_SUCCESS", (status, [(r["runId"], r["status"]) for r in runs])
    return backfill_id, runs


def latest_metadata(port: int, name: str, partitions: list[str] | None) -> dict[str | None, dict[str, Any]]:
    """partition -> metadata of its latest materialization (``None`` for an unpartitioned asset)."""
    events = gql(port, MATERIALIZATIONS, {"path": ["tiktok", name], "partitions": partitions}
                 )["data"]["assetOrError"]["assetMaterializations"]
    latest: dict[str | None, dict[str, Any]] = {}
    for event in events:  # newest first
        if event["partition"] not in latest:
            latest[event["partition"]] = {e["label"]: (e.get("intValue"), e.get("floatValue"), e["__typename"])
                                          for e in event["metadataEntries"]}
    return latest


def assert_counts_true(port: int, lake: Lake, days: list[str]) -> dict[str, dict[str, int]]:
    """Every event partition's row count equals the lake's rows for that day; snapshots: today's."""
    held: dict[str, dict[str, int]] = {}
    for name in EVENT_NAMES:
        md = latest_metadata(port, name, days)
        assert sorted(md) == days, (name, sorted(md))
        counts = {str(d): n for d, n in lake.rows_per_day(name, [date.fromisoformat(x) for x in days]).items()}
        for day in days:
            value, _, kind = md[day]["dagster/row_count"]
            assert kind == "IntMetadataEntry" and value == counts[day], (name, day, value, counts[day])
            # numeric keys stay numeric on every run (the UI plots them)
            assert md[day]["credits_used"][2] == "IntMetadataEntry", (name, day)
            if "credits_remaining" in md[day]:
                assert md[day]["credits_remaining"][2] == "IntMetadataEntry", (name, day)
        stats = gql(port, PARTITION_STATS, {"path": ["tiktok", name]})["data"]["assetNodeOrError"]["partitionStats"]
        assert stats["numFailed"] == 0 and stats["numMaterializing"] == 0, (name, stats)
        assert stats["numMaterialized"] >= len(days), (name, stats)
        held[name] = counts
    today = today_utc()
    for name in SNAPSHOT_NAMES:
        md = latest_metadata(port, name, None)
        assert list(md) == [None], (name, list(md))
        assert md[None]["dagster/row_count"][0] == lake.rows_per_day(name, [today])[today], name
    return held


@pytest.mark.timeout(1200)
def test_ui_backfill_of_the_whole_group_over_past_days(tmp_path: Path) -> None:
    port = free_port()
    server = Server([str(VENV_BIN / "python"), "-m", "tiktok_assets.devserver", "-h", "127.0.0.1", "-p", str(port)],
                    bare_env(), tmp_path, port, tmp_path / "dev.log").start()
    try:
        status = server.wait_for(location_status)
        assert "error" not in status, status
        lake = Lake(str(tmp_path / "data" / "lake"))
        today = today_utc()
        days = [str(today - timedelta(days=i)) for i in range(4, 0, -1)]  # the four days before today

        t0 = time.monotonic()
        _, runs = backfill(port, days, server)
        first_seconds = time.monotonic() - t0
        assert runs and all(r["status"] == "SUCCESS" for r in runs), [(r["runId"], r["status"]) for r in runs]
        # each asset ran in exactly one run of the backfill (a range is one run: single-run backfill policy)
        ran = [tuple(k["path"]) for r in runs for k in (r["assetSelection"] or [])]
        assert sorted(ran) == sorted(("tiktok", n) for n in ALL), ran
        held = assert_counts_true(port, lake, days)
        assert sum(held["posts"].values()) > 0  # the demo accounts posted in those days

        _, again = backfill(port, days, server)
        assert all(r["status"] == "SUCCESS" for r in again)
        assert assert_counts_true(port, lake, days) == held  # idempotent per capture day
        print(f"backfill of {len(days)} days x {len(ALL)} assets: {first_seconds:.0f} s, {len(runs)} runs")

        # one table check launched alone (the UI's "Execute" on a check) runs alone, in its family's step,
        # with no request (the ledger, which holds every request, gains no row)
        ledger_rows = read_ledger(lake).num_rows
        run = launch_one_check(port, server, "posts", "schema_drift")
        assert run["status"] == "SUCCESS", run
        assert [(st["stepKey"], st["status"]) for st in run["stepStats"]] == [("tiktok_events", "SUCCESS")]
        assert read_ledger(lake).num_rows == ledger_rows
        evaluated = [(e["evaluation"]["assetKey"]["path"][-1], e["evaluation"]["checkName"], e["evaluation"]["success"])
                     for e in run["eventConnection"]["events"] if e["__typename"] == "AssetCheckEvaluationEvent"]
        assert evaluated == [("posts", "schema_drift", True)], evaluated
    finally:
        server.stop()
