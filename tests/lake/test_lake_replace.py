"""The lake's own commit (issue 14, memory): rows written by pyarrow a row group at a time and
committed in one Delta transaction of add/remove actions (``tiktok_assets.lake.replace``).

What these pin down beyond the batch tests: a file shared by several entities is rewritten without
the replaced entity's rows (the others stay), in the same commit; spilled rows come back with the
right timestamps; every added file carries statistics users' readers prune with; two commits of the
same day conflict and the retry loses nothing; the commit's memory stays bounded.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from deltalake import DeltaTable

from lake_api_items import video
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.replace import DataFiles, Replace, Scope, commit_rows

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def posts(ids, entity, captured=CAPTURED, day=D, pad=0):
    items = [{**video(str(i)), "desc": "x" * pad} for i in ids]
    return flatten("posts", items, partition_date=day, tracked_entity=entity, captured_at=captured)


def user_table(lake):
    return DeltaTable(lake.table_uri("posts"), storage_options=lake.storage_options).to_pyarrow_dataset()


def pairs(table):
    return sorted(zip(table["tracked_entity"].to_pylist(), table["aweme_id"].to_pylist()))


def commit(lake, entities: dict[str, list[int]], captured=CAPTURED, days=(D,)):
    batch = lake.batch("posts")
    for key, ids in entities.items():
        batch.put(key, days[0], posts(ids, key, captured, days[0]), captured_at=captured)
        for day in days[1:]:
            batch.put(key, day, None, captured_at=captured)
        batch.done(key)
    stats = batch.commit()
    batch.close()
    return stats


def test_a_shared_file_is_rewritten_without_the_replaced_entity(any_lake, moto_s3):
    commit(any_lake, {"a": [1, 2], "b": [3], "c": [4, 5]})  # one file holds all three
    dt = DeltaTable(any_lake.table_uri("posts"), storage_options=any_lake.storage_options)
    (shared,) = dt.file_uris()

    stats = commit(any_lake, {"b": [30, 31]})  # rerun of b, same capture day
    dt = DeltaTable(any_lake.table_uri("posts"), storage_options=any_lake.storage_options)
    assert stats.version == dt.version() == 1
    assert shared not in dt.file_uris() and len(dt.file_uris()) == 2  # the rewrite of a+c, and b's new file
    assert pairs(user_table(any_lake).to_table()) == [("a", "1"), ("a", "2"), ("b", "30"), ("b", "31"),
                                                      ("c", "4"), ("c", "5")]
    if any_lake.is_local:  # (delta-rs's history() hangs on a list request against moto)
        last = dt.history(1)[0]
        assert last["writer"] == "tiktok_assets.lake.replace" and "tracked_entity = 'b'" in last["predicate"]

    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    if not any_lake.is_local:
        con.register_filesystem(moto_s3.filesystem())
    files = ", ".join(f"'{f}'" for f in any_lake.file_uris("posts"))
    got = con.execute(f"select tracked_entity, aweme_id, partition_date from read_parquet([{files}], "
                      "hive_partitioning=true) order by 1, 2").fetchall()
    assert [(e, i) for e, i, _ in got] == pairs(user_table(any_lake).to_table())
    assert {str(d) for *_, d in got} == {"2026-11-20"}


def test_a_new_capture_day_adds_and_only_matching_files_are_touched(local_lake):
    commit(local_lake, {"a": [1]})
    commit(local_lake, {"b": [2]})
    files = set(DeltaTable(local_lake.table_uri("posts")).file_uris())
    commit(local_lake, {"a": [1]}, captured=CAPTURED + timedelta(days=1))  # a new observation of a
    after = set(DeltaTable(local_lake.table_uri("posts")).file_uris())
    assert files < after and len(after) == 3  # nothing removed
    assert pairs(user_table(local_lake).to_table()) == [("a", "1"), ("a", "1"), ("b", "2")]


def test_spilled_rows_keep_their_timestamps(any_lake):
    batch = any_lake.batch("posts", buffer_bytes=1)  # every put spills to local Parquet
    for n in range(3):
        batch.put("a", D, posts([n], "a"), captured_at=CAPTURED)
    batch.done("a")
    batch.commit()
    batch.close()
    got = any_lake.read("posts")
    assert set(got["captured_at"].to_pylist()) == {CAPTURED}
    assert sorted(got["create_time"].to_pylist()) == sorted(posts([0, 1, 2], "a")["create_time"].to_pylist())


def test_added_files_carry_the_statistics_readers_prune_with(local_lake):
    long_key = "k" * 600
    commit(local_lake, {"a": [1, 2], long_key: [3]})
    dt = DeltaTable(local_lake.table_uri("posts"))
    adds = pa.table(dt.get_add_actions(flatten=True)).to_pylist()
    (add,) = adds
    assert add["num_records"] == 3
    assert add["min.tracked_entity"] == "a" and add["max.tracked_entity"] == long_key
    assert add["min.captured_at"] == add["max.captured_at"] == CAPTURED
    assert add["null_count.aweme_id"] == 0
    dataset = dt.to_pyarrow_dataset()
    assert dataset.to_table(filter=ds.field("tracked_entity") == long_key).num_rows == 1
    assert dataset.to_table(filter=ds.field("tracked_entity") == "zzz").num_rows == 0
    assert local_lake.read("posts", keys=[long_key], dates=[D]).num_rows == 1


def test_two_commits_of_one_day_from_one_snapshot_conflict_and_the_retry_loses_nothing(local_lake, monkeypatch):
    """The second writer read the table before the first committed: its commit conflicts on the day's
    application transaction, and the retry, on the newer version, lands both."""
    commit(local_lake, {"a": [1]})
    import tiktok_assets.lake.replace as replace

    opened = []
    real_open = local_lake.open_table

    def stale_once(uri):  # the first attempt sees the table as it was before the other commit
        dt = real_open(uri)
        if not opened:
            opened.append(dt)
            commit(local_lake, {"b": [2]})
        return dt

    monkeypatch.setattr(local_lake, "open_table", stale_once)
    rows = posts([3], "c")
    replace.commit_rows(local_lake, "posts", lambda: pa.RecordBatchReader.from_batches(rows.schema, [rows]),
                        Replace("tracked_entity", (Scope(frozenset({D}), ("c",), D),)))
    monkeypatch.undo()
    assert pairs(user_table(local_lake).to_table()) == [("a", "1"), ("b", "2"), ("c", "3")]
    ops = [h.get("writer") for h in DeltaTable(local_lake.table_uri("posts")).history()]
    assert ops.count("tiktok_assets.lake.replace") == 3


def test_the_writer_buffers_at_most_its_bound(local_lake):
    files = DataFiles(local_lake, "posts", row_group_bytes=64 * 1024, buffered_bytes=128 * 1024)
    peak = 0
    for n in range(200):
        day = D - timedelta(days=n % 5)
        files.write(posts(range(n * 20, n * 20 + 20), "a", day=day, pad=200))
        peak = max(peak, sum(f.buffered for f in files.open_files.values()))
    added = files.close()
    assert peak <= 128 * 1024 + 64 * 1024
    assert len(added) == 5 and sum(json.loads(a.stats)["numRecords"] for a in added) == 4000


def test_a_plain_append_creates_the_table_in_one_commit(local_lake):
    rows = posts([1, 2], "a")
    version = commit_rows(local_lake, "posts", lambda: pa.RecordBatchReader.from_batches(rows.schema, [rows]), None)
    dt = DeltaTable(local_lake.table_uri("posts"))
    assert version == dt.version() == 0 and len(dt.file_uris()) == 1
    assert pairs(user_table(local_lake).to_table()) == [("a", "1"), ("a", "2")]


@pytest.mark.parametrize("verdict_rows, expected", [((["a"], CAPTURED), "all"), ((["z"], CAPTURED), "none")])
def test_statistics_decide_without_reading(verdict_rows, expected):
    (keys, cap) = verdict_rows
    rep = Replace("tracked_entity", (Scope(frozenset({D}), ("a",), D),))
    stats = {"e_min": keys[0], "e_max": keys[-1], "c_min": cap, "c_max": cap}
    assert rep.by_stats(D, stats) == expected
    assert rep.by_stats(D, {**stats, "e_min": "a", "e_max": "b"}) in ("read", "all")
    assert rep.by_stats(D + timedelta(days=1), stats) == "none"


def test_a_scope_without_capture_day_replaces_every_observation_of_its_keys(local_lake):
    commit(local_lake, {"a": [1], "b": [2]})
    commit(local_lake, {"a": [1]}, captured=CAPTURED + timedelta(days=1))
    rows = posts([9], "a")
    commit_rows(local_lake, "posts", lambda: pa.RecordBatchReader.from_batches(rows.schema, [rows]),
                Replace("tracked_entity", (Scope(frozenset({D}), ("a",), None),)))
    assert pairs(user_table(local_lake).to_table()) == [("a", "9"), ("b", "2")]
