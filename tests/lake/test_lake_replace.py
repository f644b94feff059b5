"""The lake commit as users see it: ``Lake.replace_rows`` through delta-rs's ``write_deltalake``
(replace-by-predicate, streamed rows, bounded files).

What these pin down beyond the batch tests: spilled rows come back with the right timestamps; a
same-day rerun replaces only its entity's rows (idempotent) and the readers users have (DuckDB over
the live files, deltalake's pyarrow dataset) read the result, locally and on S3 (moto); a new
capture day adds an observation; two commits of one day from one snapshot conflict and the retry
loses nothing; long entity keys stay readable through filters.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import DeltaTable

from lake_api_items import video
from tiktok_assets.lake.flatten import flatten

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def posts(ids, entity, captured=CAPTURED, day=D):
    return flatten("posts", [video(str(i)) for i in ids], partition_date=day, tracked_entity=entity,
                   captured_at=captured)


def user_table(lake):
    return DeltaTable(lake.table_uri("posts"), storage_options=lake.storage_options).to_pyarrow_dataset()


def pairs(table):
    return sorted(zip(table["tracked_entity"].to_pylist(), table["aweme_id"].to_pylist()))


def reader_of(rows):
    return lambda: pa.RecordBatchReader.from_batches(rows.schema, [rows])


def commit(lake, entities: dict[str, list[int]], captured=CAPTURED):
    batch = lake.batch("posts")
    for key, ids in entities.items():
        batch.put(key, D, posts(ids, key, captured), captured_at=captured)
        batch.done(key)
    stats = batch.commit()
    batch.close()
    return stats


def test_a_same_day_rerun_replaces_only_its_entity_and_users_readers_read_it(any_lake, moto_s3):
    commit(any_lake, {"a": [1, 2], "b": [3], "c": [4, 5]})  # one commit, one file holds all three
    first = commit(any_lake, {"b": [30, 31]})  # rerun of b, same capture day
    again = commit(any_lake, {"b": [30, 31]})  # and once more: idempotent
    dt = DeltaTable(any_lake.table_uri("posts"), storage_options=any_lake.storage_options)
    assert (first.version, again.version) == (1, 2) and dt.version() == 2
    want = [("a", "1"), ("a", "2"), ("b", "30"), ("b", "31"), ("c", "4"), ("c", "5")]
    assert pairs(user_table(any_lake).to_table()) == want
    assert pairs(any_lake.read("posts")) == want

    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    if not any_lake.is_local:
        con.register_filesystem(moto_s3.filesystem())
    files = ", ".join(f"'{f}'" for f in any_lake.file_uris("posts"))
    got = con.execute(f"select tracked_entity, aweme_id, partition_date from read_parquet([{files}], "
                      "hive_partitioning=true) order by 1, 2").fetchall()
    assert [(e, i) for e, i, _ in got] == want
    assert {str(d) for *_, d in got} == {"2026-11-20"}


def test_a_new_capture_day_adds_an_observation(local_lake):
    commit(local_lake, {"a": [1]})
    commit(local_lake, {"b": [2]})
    commit(local_lake, {"a": [1]}, captured=CAPTURED + timedelta(days=1))  # a new observation of a
    got = user_table(local_lake).to_table()
    assert pairs(got) == [("a", "1"), ("a", "1"), ("b", "2")]
    assert sorted(set(got["captured_at"].to_pylist())) == [CAPTURED, CAPTURED + timedelta(days=1)]


def test_spilled_rows_keep_their_timestamps(any_lake):
    """Parquet has no seconds unit: a spill file hands ``timestamp[s]`` columns back in ms. Uncast,
    delta-rs stored them 1000x too large; the batch casts them back to the table's schema."""
    batch = any_lake.batch("posts", buffer_bytes=1)  # every put spills to local Parquet
    for n in range(3):
        batch.put("a", D, posts([n], "a"), captured_at=CAPTURED)
    batch.done("a")
    batch.commit()
    batch.close()
    got = any_lake.read("posts")
    assert set(got["captured_at"].to_pylist()) == {CAPTURED}
    assert sorted(got["create_time"].to_pylist()) == sorted(posts([0, 1, 2], "a")["create_time"].to_pylist())
    raw = user_table(any_lake).to_table(columns=["captured_at"])  # as other readers see the table
    assert {v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v
            for v in raw["captured_at"].to_pylist()} == {CAPTURED}


def test_long_keys_stay_readable_through_filters(local_lake):
    long_key = "k" * 600
    commit(local_lake, {"a": [1, 2], long_key: [3]})
    dataset = user_table(local_lake)
    assert dataset.to_table(filter=ds.field("tracked_entity") == long_key).num_rows == 1
    assert dataset.to_table(filter=ds.field("tracked_entity") == "zzz").num_rows == 0
    assert local_lake.read("posts", keys=[long_key], dates=[D]).num_rows == 1
    commit(local_lake, {long_key: [4]})  # a rerun replaces the long key's rows
    assert pairs(local_lake.read("posts", keys=[long_key], dates=[D])) == [(long_key, "4")]


def test_two_commits_of_one_day_from_one_snapshot_conflict_and_the_retry_loses_nothing(local_lake, monkeypatch):
    """The second writer read the table before the first committed rows its replace-by-predicate
    matches (same day, same entity ``c``, and another entity ``b``): its commit conflicts, and the
    retry, on the newer version, replaces ``c``'s rows once and keeps ``b``'s."""
    commit(local_lake, {"a": [1]})
    opened = []
    real_open = local_lake.open_table

    def stale_once(uri):  # the first attempt sees the table as it was before the other commit
        dt = real_open(uri)
        opened.append(dt.version())
        if len(opened) == 1:
            commit(local_lake, {"b": [2], "c": [7]})  # the other writer (opens the table too)
        return dt

    monkeypatch.setattr(local_lake, "open_table", stale_once)
    batch = local_lake.batch("posts")
    batch.put("c", D, posts([3], "c"), captured_at=CAPTURED)
    batch.done("c")
    stats = batch.commit()
    batch.close()
    monkeypatch.undo()
    assert opened == [0, 0, 1] and stats.version == 2  # the stale attempt conflicted, the retry read v1
    assert pairs(user_table(local_lake).to_table()) == [("a", "1"), ("b", "2"), ("c", "3")]


def test_the_first_commit_creates_the_table(local_lake):
    version = local_lake.replace_rows("posts", reader_of(posts([1, 2], "a")), None)
    dt = DeltaTable(local_lake.table_uri("posts"))
    assert version == dt.version() == 0
    assert pairs(user_table(local_lake).to_table()) == [("a", "1"), ("a", "2")]


def test_a_predicate_without_capture_day_replaces_every_observation_of_its_keys(local_lake):
    commit(local_lake, {"a": [1], "b": [2]})
    commit(local_lake, {"a": [1]}, captured=CAPTURED + timedelta(days=1))
    local_lake.replace_rows("posts", reader_of(posts([9], "a")),
                            f"partition_date = '{D.isoformat()}' AND tracked_entity = 'a'")
    assert pairs(user_table(local_lake).to_table()) == [("a", "9"), ("b", "2")]
