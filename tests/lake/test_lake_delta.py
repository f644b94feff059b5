"""Atomic, streaming partition writes, on a local folder and on the moto S3 server."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lake_api_items import BIG_COUNT, BIG_ID, TRICKY_TEXT, UNSAFE_KEYS, comment, video
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.lake.writer import LakeWriteError

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def posts(ids, entity="tiktok"):
    return flatten("posts", [video(str(i)) for i in ids], partition_date=D, tracked_entity=entity, captured_at=CAPTURED)


def visible_files(lake):
    return sorted(p for p in lake.fs.find(lake.root) if p.endswith(".parquet"))


def test_round_trip_of_tricky_values(any_lake):
    items = [comment(BIG_ID, text=TRICKY_TEXT, digg_count=BIG_COUNT, user={"nickname": "名前 👩‍👩‍👧 \"q\"\n"}),
             comment("2", text="", user=None)]
    batch = flatten("comments", items, partition_date=D, tracked_entity="بالعالم/中文 key", captured_at=CAPTURED,
                    extra={"aweme_id": BIG_ID})
    stats = any_lake.write_partition("comments", D, "بالعالم/中文 key", batch)
    assert stats.rows == 2 and stats.bytes > 0 and stats.path.endswith("part-0.parquet")
    back = any_lake.read("comments")
    assert back.schema.equals(SCHEMAS["comments"])
    assert back.to_pylist() == batch.to_pylist()
    assert any_lake.partitions("comments") == [(D, "بالعالم/中文 key")]


def test_empty_commit_writes_valid_file_with_exact_schema(any_lake):
    with any_lake.writer("search_users", D, "no results") as w:
        pass
    assert w.stats.rows == 0
    with any_lake.fs.open(w.stats.path, "rb") as f:
        meta = pq.ParquetFile(f)
        assert meta.metadata.num_rows == 0
        assert meta.schema_arrow.equals(as_stored(SCHEMAS["search_users"]))
    table = any_lake.read("search_users")
    assert table.num_rows == 0 and table.schema.equals(SCHEMAS["search_users"])
    assert any_lake.exists("search_users", D, "no results")


def as_stored(schema):
    """Parquet has no seconds unit: timestamp[s] columns are stored as ms (Lake.read casts back)."""
    return pa.schema([f.with_type(pa.timestamp("ms", tz="UTC")) if f.type == pa.timestamp("s", tz="UTC") else f
                      for f in schema])


def test_absent_table_reads_empty_with_schema(any_lake):
    table = any_lake.read("hashtags", columns=["hashtag_id", "view_count"])
    assert table.num_rows == 0 and table.schema.names == ["hashtag_id", "view_count"]


def test_failed_rewrite_keeps_old_partition_and_leaves_no_temp(any_lake):
    any_lake.write_partition("posts", D, "tiktok", posts([1, 2, 3]))
    before = visible_files(any_lake)
    with pytest.raises(RuntimeError, match="API died"):
        with any_lake.writer("posts", D, "tiktok", row_group_size=2) as w:
            w.write(posts([10, 11, 12]))  # one row group already flushed to the staged file
            assert w.rows_written == 2
            # mid-stream, readers still see the committed partition only
            assert any_lake.read("posts")["aweme_id"].to_pylist() == ["1", "2", "3"]
            raise RuntimeError("API died")
    assert visible_files(any_lake) == before
    assert any_lake.read("posts")["aweme_id"].to_pylist() == ["1", "2", "3"]
    assert not any_lake.fs.exists(w.staging_path)


def test_rerun_replaces_partition_without_stale_parts(any_lake):
    any_lake.write_partition("posts", D, "tiktok", posts([1, 2, 3]))
    any_lake.write_partition("posts", D, "other", posts([9], entity="other"))
    folder = any_lake.partition_dir("posts", D, "tiktok")
    any_lake.fs.pipe(f"{folder}/part-1.parquet", pq_bytes(posts([1, 2, 3])))  # stale part of an older run
    stats = any_lake.write_partition("posts", D, "tiktok", [posts([4]), posts([5])])
    assert stats.rows == 2
    assert sorted(any_lake.fs.ls(folder, detail=False)) == [f"{folder}/part-0.parquet"]
    table = any_lake.read("posts", keys=["tiktok"])
    assert table["aweme_id"].to_pylist() == ["4", "5"]
    assert any_lake.read("posts").num_rows == 3  # the other partition untouched
    assert any_lake.partitions("posts") == [(D, "other"), (D, "tiktok")]
    assert any_lake.delete_partition("posts", D, "other") and not any_lake.exists("posts", D, "other")
    assert any_lake.partitions("posts") == [(D, "tiktok")]


def pq_bytes(batch):
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_batches([batch]), sink)
    return sink.getvalue().to_pybytes()


def test_streaming_holds_at_most_one_row_group(local_lake):
    """300k rows in 50-row pages: the buffer never exceeds one row group, row groups are full-size."""
    page = posts(range(50))
    pages, rgs = 6000, 65536
    with local_lake.writer("posts", D, "big") as w:
        assert w.row_group_size == rgs
        for _ in range(pages):
            w.write(page)
            assert w.buffered_rows < rgs
    total = pages * 50
    assert rgs - 50 < w.max_buffered_rows < rgs  # fills up to one row group, never beyond
    assert w.stats.rows == total and w.stats.row_groups == math.ceil(total / rgs)
    meta = pq.read_metadata(w.stats.path)
    assert meta.num_rows == total
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [rgs] * 4 + [total - 4 * rgs]


def test_bad_batches_are_refused_with_clear_errors(local_lake):
    with pytest.raises(LakeWriteError, match=r"missing \['keyword'"):
        with local_lake.writer("search_videos", D, "k") as w:
            w.write(posts([1]))
    bad = posts([1]).set_column(0, "aweme_id", pa.array([None], pa.string()))
    with pytest.raises(LakeWriteError, match="required column 'aweme_id' has 1 null"):
        local_lake.write_partition("posts", D, "k", bad)
    assert local_lake.partitions("posts") == [] and local_lake.partitions("search_videos") == []
    reordered = posts([7]).select(list(reversed(SCHEMAS["posts"].names)))
    assert local_lake.write_partition("posts", D, "k", reordered).rows == 1


def test_unsafe_keys_round_trip_through_the_store(local_lake):
    for key in UNSAFE_KEYS:
        local_lake.write_partition("search_videos", D, key, flatten(
            "search_videos", [video("1")], partition_date=D, tracked_entity=key, captured_at=CAPTURED,
            extra={"keyword": key, "search_rank": [1]}))
    assert sorted(k for _, k in local_lake.partitions("search_videos")) == sorted(UNSAFE_KEYS)
    table = local_lake.read("search_videos", keys=["a/b", "..", "emoji🎉"], dates=["2026-11-20"])
    assert sorted(table["keyword"].to_pylist()) == sorted(["a/b", "..", "emoji🎉"])
    assert local_lake.read("search_videos", dates=[date(2026, 11, 21)]).num_rows == 0
