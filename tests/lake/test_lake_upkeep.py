"""Issue 10 §4: reads prune files by day, and the daily maintenance costs what changed, not the history.

Why these tests: the lake benchmark found ``estimate`` and the maintenance growing with the days
kept (a dataset over every live file; every closed day compacted again; a full vacuum listing the
store). Each test pins the behaviour that keeps a per-day cost flat, with results unchanged.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pyarrow.dataset as ds
import pytest
from dagster import materialize
from deltalake import DeltaTable

from lake_api_items import video
from tiktok_assets.assets.maintenance import (
    FULL_VACUUM_WEEKDAY,
    MAINTENANCE_OP,
    lake_maintenance,
    scheduled_run_config,
)
from tiktok_assets.assets.windows import today_utc
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.store import Lake, LakeResource

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(6)]
AT = datetime(2026, 11, 7, 6, 0, tzinfo=UTC)


def _write(lake: Lake, day: date, entity: str, ids: list[str], at: datetime = AT) -> None:
    lake.write_partition("posts", day, entity, flatten("posts", [video(i) for i in ids], partition_date=day,
                                                       tracked_entity=entity, captured_at=at))


def _history(lake: Lake) -> None:
    for n, day in enumerate(DAYS):
        _write(lake, day, "a", [f"{n}1", f"{n}2"])
        _write(lake, day, "b", [f"{n}3"])  # two files for every day


def _operations(lake: Lake, table: str = "posts") -> list[str]:
    return [h["operation"] for h in lake.open_table(lake.table_uri(table)).history()]


@pytest.mark.timeout(120)
def test_reads_build_the_dataset_over_the_days_files_only_with_the_same_rows(any_lake):
    _history(any_lake)
    wanted = [DAYS[1], DAYS[4]]
    assert len(any_lake.dataset("posts").files) == 12
    assert len(any_lake.dataset("posts", wanted).files) == 4  # pruned when built, not only filtered
    assert len(any_lake.file_uris("posts", wanted)) == 4 and len(any_lake.file_uris("posts")) == 12
    assert any_lake.dataset("posts", []).files == []

    everything = any_lake.dataset("posts").to_table(filter=ds.field("partition_date").isin(wanted))
    got = any_lake.read("posts", dates=wanted)
    key = [("partition_date", "ascending"), ("aweme_id", "ascending")]
    assert got.sort_by(key).to_pylist() == everything.select(got.column_names).sort_by(key).to_pylist()
    assert got.num_rows == 6
    assert any_lake.read("posts", dates=[d.isoformat() for d in wanted], keys=["b"]).num_rows == 2
    assert any_lake.read("posts", dates=[]).num_rows == 0
    assert sum(b.num_rows for b in any_lake.scan("posts", dates=wanted)) == 6
    assert any_lake.rows_per_day("posts", [DAYS[0], DAYS[5], date(2026, 12, 1)]) == {
        DAYS[0]: 3, DAYS[5]: 3, date(2026, 12, 1): 0}
    assert any_lake.read("posts").num_rows == 18  # no dates: every file, as before


@pytest.mark.timeout(120)
def test_day_counts_give_what_a_day_holds_and_what_one_capture_wrote_from_one_read(any_lake):
    """What every partition's materialization reports: the rows its day holds (every observation) and,
    of those, the rows of this run's capture; a second capture of a day on a later day adds to it."""
    _history(any_lake)  # every day: 3 rows of the capture at AT
    later = AT + timedelta(days=1)
    _write(any_lake, DAYS[2], "a", ["x1", "x2", "x3", "x4"], at=later)
    unknown = date(2026, 12, 1)
    held, captured = any_lake.day_counts("posts", [DAYS[1], DAYS[2], unknown], captured_at=later)
    assert held == {DAYS[1]: 3, DAYS[2]: 7, unknown: 0}
    assert captured == {DAYS[1]: 0, DAYS[2]: 4, unknown: 0}
    assert any_lake.rows_per_day("posts", [DAYS[2]], captured_at=AT) == {DAYS[2]: 3}
    assert any_lake.day_counts("posts", [DAYS[2]]) == ({DAYS[2]: 7}, {DAYS[2]: 0})
    assert any_lake.day_counts("comments", [DAYS[2]], captured_at=AT) == ({DAYS[2]: 0}, {DAYS[2]: 0})  # no table yet


@pytest.mark.timeout(120)
def test_maintenance_compacts_only_days_with_several_files_then_nothing(any_lake):
    _history(any_lake)
    before = DAYS[4]  # DAYS[4] and DAYS[5] are still open
    first = any_lake.maintain("posts", before=before, retention_hours=0)
    assert (first.files_before, first.partitions_compacted, first.compacted_away, first.files_after) == (12, 4, 8, 8)
    assert first.vacuumed >= 8
    if any_lake.is_local:  # (the log's history is the same on S3; reading it all there is slow)
        assert _operations(any_lake).count("OPTIMIZE") == 1  # one commit for the four days

    second = any_lake.maintain("posts", before=before, retention_hours=0)
    assert (second.partitions_compacted, second.compacted_away, second.files_after) == (0, 0, 8)
    if any_lake.is_local:
        assert _operations(any_lake).count("OPTIMIZE") == 1  # closed days already compacted cost no commit

    _write(any_lake, DAYS[2], "c", ["late"])  # a late capture of a compacted day: two files again
    third = any_lake.maintain("posts", before=before, retention_hours=0)
    assert (third.partitions_compacted, third.compacted_away) == (1, 2)
    assert sorted(any_lake.read("posts", dates=[DAYS[2]])["aweme_id"].to_pylist()) == ["21", "22", "23", "late"]
    assert any_lake.read("posts").num_rows == 19


@pytest.mark.timeout(120)
def test_lite_vacuum_keeps_an_uncommitted_file_and_the_full_vacuum_deletes_it(any_lake):
    _history(any_lake)
    day_dir = any_lake.partition_dir("posts", DAYS[0])
    orphan = f"{day_dir}/part-00000-killed-writer.parquet"
    with any_lake.fs.open(orphan.removeprefix("s3://"), "wb") as f:  # what a killed writer leaves
        f.write(b"PAR1 not committed")
    lite = any_lake.maintain("posts", before=DAYS[4], retention_hours=0)
    assert lite.vacuumed >= 8  # the compacted-away files, which the log records as removed
    assert any_lake.fs.exists(orphan.removeprefix("s3://"))
    full = any_lake.maintain("posts", before=DAYS[4], retention_hours=0, full_vacuum=True)
    assert full.vacuumed >= 1 and not any_lake.fs.exists(orphan.removeprefix("s3://"))
    on_store = [p for p in any_lake.fs.find(any_lake.table_uri("posts").removeprefix("s3://"))
                if p.endswith(".parquet") and "_delta_log" not in p]
    assert len(on_store) == len(any_lake.file_uris("posts")) == 8
    assert any_lake.read("posts").num_rows == 18


@pytest.mark.timeout(120)
def test_capture_log_is_compacted_per_table_once(local_lake):
    _history(local_lake)
    first = local_lake.maintain("_captures", before=None, retention_hours=0)
    assert first.partitions_compacted == 1 and first.files_after == 1
    again = local_lake.maintain(local_lake.join("_captures"), before=None, retention_hours=0)
    assert again.partitions_compacted == 0 and again.compacted_away == 0
    assert len(local_lake.partitions("posts")) == 12
    assert local_lake.maintain("hashtags", before=None, retention_hours=0) is None  # never written


def test_schedule_runs_a_full_vacuum_on_sundays_only():
    sunday = datetime(2026, 11, 29, 3, 30, tzinfo=UTC)
    assert sunday.weekday() == FULL_VACUUM_WEEKDAY
    for offset in range(7):
        when = sunday + timedelta(days=offset)
        config = scheduled_run_config(when).to_config_dict()["ops"][MAINTENANCE_OP]["config"]
        assert config["full_vacuum"] is (offset == 0), when


@pytest.mark.timeout(120)
def test_asset_runs_with_the_schedules_sunday_config(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    closed = today_utc() - timedelta(days=3)
    now = datetime.now(UTC).replace(microsecond=0)
    for entity in ("a", "b", "c"):
        _write(lake, closed, entity, [f"{entity}1"], at=now)
    orphan = os.path.join(lake.partition_dir("posts", closed), "part-00000-killed-writer.parquet")
    with open(orphan, "wb") as f:
        f.write(b"PAR1 not committed")
    config = scheduled_run_config(datetime(2026, 11, 29, 3, 30, tzinfo=UTC)).to_config_dict()
    config["ops"][MAINTENANCE_OP]["config"]["retention_hours"] = 0
    result = materialize([lake_maintenance], resources={"lake": LakeResource(lake_url=lake.url)}, run_config=config)
    assert result.success
    md = {k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()}
    assert md["full_vacuum"] is True
    posts = {r.data["table"]: r.data for r in md["tables"].records}["posts"]
    assert (posts["files_before"], posts["files_after"], posts["compacted_away"], posts["days_compacted"]) == (3, 1, 3, 1)
    assert not os.path.exists(orphan)


@pytest.mark.timeout(60)
def test_a_settled_file_is_not_rewritten_and_the_newer_files_merge_beside_it(tmp_path):
    import pyarrow as pa
    from deltalake import write_deltalake

    from tiktok_assets.lake.compaction import compact, plan_compaction

    uri = str(tmp_path / "log")

    def append(n: int) -> None:
        write_deltalake(uri, pa.table({"part": ["posts"] * n, "x": list(range(n))}), partition_by=["part"], mode="append")

    for n in (3000, 4000):  # nothing settled yet: the two merge
        append(n)
    dt = DeltaTable(uri)
    assert compact(dt, "log", "part", settled_rows=5000)[0] == 1
    (settled,) = dt.file_uris()  # 7,000 rows: settled from now on
    for n in (1, 2, 1):
        append(n)
    dt.update_incremental()
    plan = plan_compaction(dt, "part", settled_rows=5000)
    sizes = {a["path"]: a["size_bytes"] for a in pa.table(dt.get_add_actions()).to_pylist()}
    assert plan.partitions == ["posts"] and plan.target_size == sizes[settled.rsplit("log/", 1)[1]]
    partitions, metrics = compact(dt, "log", "part", settled_rows=5000)
    assert (partitions, metrics["numFilesRemoved"], metrics["numFilesAdded"]) == (1, 3, 1)
    assert settled in dt.file_uris() and len(dt.file_uris()) == 2  # the settled file untouched
    assert sorted(dt.to_pyarrow_dataset().to_table()["x"].to_pylist()) == sorted([*range(3000), *range(4000), 0, 0, 1, 0])
    assert compact(dt, "log", "part", settled_rows=5000) == (0, {})  # one small file left: nothing to merge
    assert compact(dt, "log", "part")[0] == 1 and len(dt.file_uris()) == 1  # without the setting: all merged
