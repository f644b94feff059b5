"""Incremental staging: a build reads only the lake partitions that changed, and ends up with exactly
the rows of a from-scratch build.

The lake changes here the ways it changes in production: new capture days (event rows filed under the
item's creation day, so one capture touches several partitions), a same-day recapture that replaces
rows (a video and a follower gone, a partition emptied), compaction of the closed days plus vacuum
(same rows, new files), and no change at all. After the steps that matter, every staging model and
mart of the incrementally built warehouse equals a from-scratch build of the same lake, row for row;
and each build's compiled SQL shows it passed read_parquet only the live files of the partitions that
changed (macros/lake_incremental.sql).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from tests.dbt.lake_fixture import _comment, _user, _video, ts
from tests.moto_s3 import MotoS3, moto_s3  # noqa: F401  (session fixture)
from tests.warehouse_rows import warehouse_tables
from tiktok_assets.dbt.lake_files import partition_day
from tiktok_assets.dbt.runner import run_dbt_build
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.lake.store import Lake

# The module's fixture runs nine real `dbt build`s (each step, and from-scratch references); its setup
# counts against the first test's timeout, so the module gets room for a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)

D0, D1, D2, D3 = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
LINA, RUNNER = "MS4wLjABAAAA_lina", "MS4wLjABAAAA_runner"
VA, VB, VC, VD, VE = (f"731000000000000000{i}" for i in range(1, 6))
F1, F2, F3 = "MS4_f1", "MS4_f2", "MS4_f3"
KEYWORD = "ramen"
STAGING = sorted(f"stg_{t}" for t in SCHEMAS)


# -- writing the lake as the product's writer does (Delta commits, replace by predicate) -----------

def _row(table: str, day: date, entity: str, captured: datetime, **fields) -> dict:
    row = {"partition_date": day, "tracked_entity": entity, "captured_at": captured, **fields}
    row["raw"] = json.dumps({k: str(v) for k, v in fields.items()})
    return row


def post(created: date, vid: str, account: str, captured: datetime, plays: int) -> dict:
    return _row("posts", created, account, captured, **_video(vid, ts(created, 6), account, plays, plays // 10, 3, 2, 1))


def ledger(day: date, n: int) -> list[dict]:
    return [{"run_id": f"run-{day}", "asset": "posts", "partition": f"chef_lina|{day}", "endpoint": "/tiktok/user/posts",
             "entity": "chef_lina", "params_hash": f"h{i}", "http_status": 200, "credits_used": 1,
             "credits_remaining": 100 - i, "latency_ms": 10.0, "requested_at": ts(day, 9, i), "partition_date": day,
             "flush_id": f"flush-{day}"} for i in range(n)]


def capture_day(day: date, hour: int, posts: dict[str, list[tuple[date, str, int]]], followers: list[str]) -> dict[str, list[dict]]:
    """One capture day of every stream: posts per account (creation day, id, plays), profiles,
    followers of lina, a comment, a hashtag feed, a search, a video detail and ledger rows."""
    at = ts(day, hour)
    rows: dict[str, list[dict]] = defaultdict(list)
    for account, items in posts.items():
        rows["posts"] += [post(created, vid, account, at, plays) for created, vid, plays in items]
    rows["profiles"] += [_row("profiles", day, "chef_lina", at, **_user(LINA, "chef_lina", 1000 + hour), bio_url=None),
                         _row("profiles", day, "urban_runner", at, **_user(RUNNER, "urban_runner", 500), bio_url=None)]
    rows["followers"] += [_row("followers", day, "chef_lina", at, owner_sec_uid=LINA, owner_unique_id="chef_lina",
                               **_user(sec, f"user_{sec[-2:]}")) for sec in followers]
    rows["comments"].append(_row("comments", D1, "chef_lina", at, **_comment("7400000000000000001", VB, ts(D1, 7), hour, 0, False)))
    rows["hashtags"].append(_row("hashtags", day, "cooking", at, hashtag_id="1001", hashtag_name="cooking",
                                 description="Cook", video_count=100 + hour, view_count=10_000))
    rows["hashtag_videos"].append(_row("hashtag_videos", day, "cooking", at, hashtag_id="1001", hashtag_name="cooking",
                                       **_video(VC, ts(D0, 5), "urban_runner", 300, 30, 3, 1, 1)))
    rows["search_videos"].append(_row("search_videos", D0, KEYWORD, at, keyword=KEYWORD, search_rank=1,
                                      publish_time_window=None, **_video(VA, ts(D0, 6), "chef_lina", 900 + hour, 90, 9, 9, 9)))
    rows["videos"].append(_row("videos", D0, "posts:chef_lina", at, **_video(VA, ts(D0, 6), "chef_lina", 950 + hour, 95, 9, 9, 9),
                               play_url=None, download_url=None, video_width=720, video_height=1280, hashtags=["ramen"],
                               mentions=[], discovered_via="posts"))
    rows["credit_ledger"] += ledger(day, 2)
    return dict(rows)


def _table(table: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[table]
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)


def append(lake_url: str, rows: dict[str, list[dict]], storage_options: dict | None = None) -> None:
    """A capture's commit per table (many entities, several partitions in one commit)."""
    for table, table_rows in sorted(rows.items()):
        write_deltalake(f"{lake_url}/{table}", _table(table, table_rows), partition_by=["partition_date"],
                        mode="append", storage_options=storage_options)


def replace(lake_url: str, table: str, predicate: str, rows: list[dict], storage_options: dict | None = None) -> None:
    """A recapture: remove what ``predicate`` matches and add ``rows``, in one commit (as Lake.replace_rows)."""
    uri = f"{lake_url}/{table}"
    if rows:
        write_deltalake(DeltaTable(uri, storage_options=storage_options), _table(table, rows),
                        partition_by=["partition_date"], mode="overwrite", predicate=predicate)
    else:
        DeltaTable(uri, storage_options=storage_options).delete(predicate)


def live(lake_url: str, storage_options: dict | None = None) -> dict[str, set[str]]:
    out = {}
    for table in SCHEMAS:
        try:
            out[table] = set(DeltaTable(f"{lake_url}/{table}", storage_options=storage_options).file_uris())
        except Exception:  # noqa: BLE001 - a table never written
            out[table] = set()
    return out


def expected_reads(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per staging model: the live files of every partition whose files changed between two builds."""
    out = {}
    for table in SCHEMAS:
        changed = {partition_day(u) for u in before[table] ^ after[table]}
        out[f"stg_{table}"] = {u for u in after[table] if partition_day(u) in changed}
    return out


# -- reading what a build did --------------------------------------------------------------------

def reads(run_results: Path) -> dict[str, tuple[str, set[str]]]:
    """Per staging model: the lake_table() mode and the files its compiled SQL passed to read_parquet."""
    out = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        name = result["unique_id"].split(".")[-1]
        if result["unique_id"].startswith("model.") and name.startswith("stg_"):
            code = result["compiled_code"]
            mode = re.search(r"-- lake_table\(\w+\): (\w+) read", code).group(1)
            listed = re.search(r"read_parquet\(\[(.*?)\]", code, re.S)
            out[name] = (mode, set(re.findall(r"'([^']+)'", listed.group(1))) if listed else set())
    return out


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every staging model and mart, rows in a stable order."""
    return warehouse_tables(warehouse, ("staging", "marts"))


def build(lake_url: str, warehouse: Path, target: Path, *, full_refresh: bool = False) -> dict[str, tuple[str, set[str]]]:
    summary = run_dbt_build(lake_url, str(warehouse), target_path=target, full_refresh=full_refresh)
    assert summary.success and summary.failed == (), summary.failed
    return reads(target / "run_results.json")


# -- the day-by-day build --------------------------------------------------------------------------

DAY1 = capture_day(D1, 10, {"chef_lina": [(D0, VA, 1000), (D1, VB, 100)], "urban_runner": [(D0, VC, 50)]}, [F1, F2])
DAY2 = capture_day(D2, 10, {"chef_lina": [(D0, VA, 2000), (D1, VB, 300), (D2, VD, 10)]}, [F2, F3])
# The same capture day again, later: VB is gone (deleted video), F2 unfollowed, the hashtag feed empty.
RECAPTURE_POSTS = [post(D0, VA, "chef_lina", ts(D2, 18), 2500), post(D2, VD, "chef_lina", ts(D2, 18), 90)]
RECAPTURE_FOLLOWERS = capture_day(D2, 18, {}, [F3])["followers"]
DAY3 = capture_day(D3, 10, {"chef_lina": [(D2, VD, 400), (D3, VE, 5)], "urban_runner": [(D0, VC, 70)]}, [F3])
D2_CAPTURE = "captured_at >= '2026-11-21T00:00:00Z' AND captured_at < '2026-11-22T00:00:00Z'"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("dbt_incremental_staging")
    lake_url, warehouse = str(root / "lake"), root / "warehouse.duckdb"
    steps: dict[str, dict] = {}

    def step(name: str, reference: bool = False) -> None:
        before = steps[list(steps)[-1]]["live"] if steps else {t: set() for t in SCHEMAS}
        now = live(lake_url)
        read = build(lake_url, warehouse, root / f"target-{name}")
        steps[name] = {"live": now, "read": read, "expected": expected_reads(before, now), "tables": tables(warehouse)}
        if reference:  # a from-scratch build of the same lake, in a warehouse of its own
            ref = root / f"reference-{name}.duckdb"
            steps[name]["reference_read"] = build(lake_url, ref, root / f"target-{name}-ref")
            steps[name]["reference"] = tables(ref)

    append(lake_url, DAY1)
    step("day1")
    append(lake_url, DAY2)
    step("day2")
    replace(lake_url, "posts", f"partition_date IN ('{D0}', '{D1}', '{D2}') AND tracked_entity = 'chef_lina' AND {D2_CAPTURE}",
            RECAPTURE_POSTS)
    replace(lake_url, "followers", f"partition_date = '{D2}' AND tracked_entity = 'chef_lina' AND {D2_CAPTURE}",
            RECAPTURE_FOLLOWERS)
    replace(lake_url, "hashtag_videos", f"partition_date = '{D2}'", [])
    step("recapture", reference=True)
    append(lake_url, DAY3)
    lake = Lake(lake_url)  # the daily maintenance: compact the closed days, then vacuum (retention 0)
    compacted = {table: lake.compact(table, before=D3)["numFilesRemoved"] for table in SCHEMAS}
    vacuumed = {table: len(lake.vacuum(table, 0)) for table in SCHEMAS}
    step("day3_compacted", reference=True)
    step("unchanged")
    # A changed staging model (its recorded fingerprint differs): that model reloads everything once.
    con = duckdb.connect(str(warehouse))
    con.execute("update lake_state.loads set fingerprint = 'older project' where model = 'staging.stg_posts'")
    con.close()
    step("stale_fingerprint")
    steps["full_refresh"] = {"read": build(lake_url, warehouse, root / "target-full-refresh", full_refresh=True),
                             "tables": tables(warehouse)}
    return {"steps": steps, "compacted": compacted, "vacuumed": vacuumed, "lake_url": lake_url, "warehouse": warehouse}


def test_first_build_reads_every_live_file(history: dict) -> None:
    day1 = history["steps"]["day1"]
    assert set(day1["read"]) == set(STAGING)
    for model, (mode, files) in day1["read"].items():
        assert mode == "full" and files == day1["live"][model[4:]], model


def test_incremental_builds_read_only_the_changed_partitions(history: dict) -> None:
    for name in ("day2", "recapture", "day3_compacted"):
        step = history["steps"][name]
        for model, (mode, files) in step["read"].items():
            assert mode == "partitions", (name, model)
            assert files == step["expected"][model], (name, model)
    day2 = history["steps"]["day2"]
    # day 2's posts commit touched three creation days (all of their files are read, day 1's included)
    assert {partition_day(u) for u in day2["read"]["stg_posts"][1]} == {D0, D1, D2}
    # a snapshot table: only the new capture day's partition, not day 1's
    assert day2["read"]["stg_profiles"][1] == {u for u in day2["live"]["profiles"] if partition_day(u) == D2}
    assert not day2["read"]["stg_entity_status"][1]  # never written: nothing to read, still builds
    day3 = history["steps"]["day3_compacted"]
    read = sum(len(files) for _mode, files in day3["read"].values())
    assert 0 < read < sum(len(files) for files in day3["live"].values())


def test_a_build_with_nothing_new_reads_no_file(history: dict) -> None:
    unchanged = history["steps"]["unchanged"]
    assert all(files == set() for _mode, files in unchanged["read"].values())
    assert unchanged["tables"] == history["steps"]["day3_compacted"]["tables"]


def test_recapture_leaves_what_a_full_rebuild_gives(history: dict) -> None:
    step = history["steps"]["recapture"]
    assert step["tables"] == step["reference"]
    staging = step["tables"]
    # VB's day-2 observation went with the recapture; day 1's stays; F2 is no longer a follower on day 2
    assert sorted((r[0], str(r[-2])) for r in staging["staging.stg_posts"] if r[0] == VB) == [(VB, str(D1))]
    followers_d2 = {r[2] for r in staging["staging.stg_followers"] if r[-2] == D2}
    assert followers_d2 == {F3}
    assert not [r for r in staging["staging.stg_hashtag_videos"] if r[-2] == D2]  # the emptied partition


def test_compaction_and_vacuum_leave_what_a_full_rebuild_gives(history: dict) -> None:
    assert history["compacted"]["posts"] > 0 and sum(history["vacuumed"].values()) > 0  # it did rewrite files
    step = history["steps"]["day3_compacted"]
    assert step["tables"] == step["reference"]
    # the compacted partitions were read again (same rows, new files); nothing else older was
    posts_read = {partition_day(u) for u in step["read"]["stg_posts"][1]}
    assert D3 in posts_read and posts_read <= {D0, D1, D2, D3}


def test_changed_model_reloads_everything_once(history: dict) -> None:
    step = history["steps"]["stale_fingerprint"]
    mode, files = step["read"]["stg_posts"]
    assert mode == "all" and files == step["live"]["posts"]
    assert all(files == set() for model, (_m, files) in step["read"].items() if model != "stg_posts")
    assert step["tables"] == history["steps"]["day3_compacted"]["reference"]


def test_full_refresh_reads_everything_and_gives_the_same_rows(history: dict) -> None:
    step = history["steps"]["full_refresh"]
    assert {mode for mode, _files in step["read"].values()} == {"full"}
    assert step["tables"] == history["steps"]["day3_compacted"]["reference"]


def test_every_staging_model_and_mart_was_compared(history: dict) -> None:
    reference = history["steps"]["day3_compacted"]["reference"]
    assert {f"staging.{m}" for m in STAGING} <= set(reference)
    assert len([n for n in reference if n.startswith("marts.")]) == 12
    assert sum(len(rows) for rows in reference.values()) > 50


# -- S3 (moto), built through the Dagster asset -----------------------------------------------------

def test_s3_incremental_build_through_dagster_equals_a_full_rebuild(tmp_path: Path, moto_s3: MotoS3) -> None:  # noqa: F811
    from dagster import DagsterInstance, materialize

    from tiktok_assets.dbt.assets import dbt_resource, tiktok_dbt_assets

    lake_url = f"s3://{moto_s3.make_bucket()}/lake"
    options = {"AWS_ENDPOINT_URL": moto_s3.endpoint_url, "AWS_ACCESS_KEY_ID": moto_s3.key,
               "AWS_SECRET_ACCESS_KEY": moto_s3.secret, "AWS_ALLOW_HTTP": "true", "AWS_REGION": "us-east-1"}
    warehouse = tmp_path / "warehouse.duckdb"

    def dagster_build(name: str) -> dict[str, tuple[str, set[str]]]:
        target = tmp_path / f"target-{name}"
        mp = pytest.MonkeyPatch()
        mp.setenv("TIKTOK_LAKE_URL", lake_url)
        mp.setenv("TIKTOK_WAREHOUSE", str(warehouse))
        mp.setenv("TIKTOK_S3_ENDPOINT_URL", moto_s3.endpoint_url)
        mp.setenv("DBT_TARGET_PATH", str(target))
        try:
            result = materialize([tiktok_dbt_assets], resources={"dbt": dbt_resource()},
                                 instance=DagsterInstance.ephemeral(), raise_on_error=False)
        finally:
            mp.undo()
        assert result.success
        [run_results] = list(target.rglob("run_results.json"))
        return reads(run_results)

    append(lake_url, DAY1, options)
    first = dagster_build("day1")
    assert {mode for mode, _files in first.values()} == {"full"}
    before = live(lake_url, options)
    append(lake_url, DAY2, options)
    replace(lake_url, "posts", f"partition_date IN ('{D0}', '{D1}', '{D2}') AND tracked_entity = 'chef_lina' AND {D2_CAPTURE}",
            RECAPTURE_POSTS, options)
    second = dagster_build("day2")
    expected = expected_reads(before, live(lake_url, options))
    assert {model: files for model, (_mode, files) in second.items()} == expected
    assert all(f.startswith("s3://") for files in expected.values() for f in files) and expected["stg_posts"]

    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ACCESS_KEY_ID", moto_s3.key)
    mp.setenv("AWS_SECRET_ACCESS_KEY", moto_s3.secret)
    try:
        reference = tmp_path / "reference.duckdb"
        summary = run_dbt_build(lake_url, str(reference), moto_s3.endpoint_url)
    finally:
        mp.undo()
    assert summary.success, summary.failed
    assert tables(warehouse) == tables(reference)
    shutil.rmtree(tmp_path / "target-day1", ignore_errors=True)
