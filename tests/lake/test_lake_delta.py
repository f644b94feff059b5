"""Delta tables of the lake: round trips, captures, observations kept, batches, bounded memory.

Every test runs on a local folder and on the moto S3 server where it matters. Reads that check what
users see go through ``DeltaTable(...).to_pyarrow_dataset()`` (a user's reader), not only ``Lake.read``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lake_api_items import BIG_COUNT, BIG_ID, TRICKY_TEXT, UNSAFE_KEYS, comment, video
from tiktok_assets.lake.delta import LakeWriteError
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.schemas import SCHEMAS

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def posts(ids, entity="tiktok", captured=CAPTURED, day=D):
    return flatten("posts", [video(str(i)) for i in ids], partition_date=day, tracked_entity=entity, captured_at=captured)


def user_rows(lake, table):
    """The table as a user reads it: the Delta table's pyarrow dataset."""
    return DeltaTable(lake.table_uri(table), storage_options=lake.storage_options).to_pyarrow_dataset().to_table()


def test_round_trip_of_tricky_values(any_lake):
    items = [comment(BIG_ID, text=TRICKY_TEXT, digg_count=BIG_COUNT, user={"nickname": "名前 👩‍👩‍👧 \"q\"\n"}),
             comment("2", text="", user=None)]
    batch = flatten("comments", items, partition_date=D, tracked_entity="بالعالم/中文 key", captured_at=CAPTURED,
                    extra={"aweme_id": BIG_ID})
    stats = any_lake.write_partition("comments", D, "بالعالم/中文 key", batch)
    assert stats.rows == 2 and stats.version == 0 and stats.path == any_lake.table_uri("comments")
    back = any_lake.read("comments")
    assert back.schema.equals(SCHEMAS["comments"])
    assert back.to_pylist() == batch.to_pylist()
    assert any_lake.partitions("comments") == [(D, "بالعالم/中文 key")]
    seen = user_rows(any_lake, "comments")
    assert sorted(seen["cid"].to_pylist()) == sorted(["2", BIG_ID]) and set(seen["partition_date"].to_pylist()) == {D}


def test_empty_capture_is_recorded_without_rows(any_lake):
    stats = any_lake.write_partition("search_users", D, "no results", None, captured_at=CAPTURED)
    assert stats.rows == 0
    table = any_lake.read("search_users")
    assert table.num_rows == 0 and table.schema.equals(SCHEMAS["search_users"])
    assert any_lake.exists("search_users", D, "no results") and not any_lake.exists("search_users", D, "other")
    assert any_lake.partitions("search_users") == [(D, "no results")]
    assert any_lake.captures.latest("search_users", D, "no results")["rows"] == 0


def test_absent_table_reads_empty_with_schema(any_lake):
    table = any_lake.read("hashtags", columns=["hashtag_id", "view_count"])
    assert table.num_rows == 0 and table.schema.names == ["hashtag_id", "view_count"]
    assert any_lake.partitions("hashtags") == [] and any_lake.file_uris("hashtags") == []


def test_same_capture_day_replaces_and_a_new_capture_day_adds(any_lake):
    """Issue 10 §2: a capture adds rows; a rerun of the same capture day replaces only its own rows."""
    any_lake.write_partition("posts", D, "tiktok", posts([1, 2, 3]))
    any_lake.write_partition("posts", D, "other", posts([9], entity="other"))
    later_same_day = CAPTURED + timedelta(hours=3)
    any_lake.write_partition("posts", D, "tiktok", posts([1, 4], captured=later_same_day))
    next_day = CAPTURED + timedelta(days=1)
    any_lake.write_partition("posts", D, "tiktok", posts([1, 4, 5], captured=next_day))
    any_lake.write_partition("posts", D, "tiktok", posts([1, 4, 5], captured=next_day + timedelta(minutes=5)))
    rows = user_rows(any_lake, "posts")
    got = sorted((r["tracked_entity"], r["captured_at"].date().isoformat(), r["aweme_id"]) for r in rows.to_pylist())
    assert got == [("other", "2026-11-20", "9"),
                   ("tiktok", "2026-11-20", "1"), ("tiktok", "2026-11-20", "4"),
                   ("tiktok", "2026-11-21", "1"), ("tiktok", "2026-11-21", "4"), ("tiktok", "2026-11-21", "5")]
    assert any_lake.partitions("posts") == [(D, "other"), (D, "tiktok")]
    assert any_lake.delete_partition("posts", D, "other") and not any_lake.exists("posts", D, "other")
    assert any_lake.partitions("posts") == [(D, "tiktok")] and any_lake.read("posts", keys=["other"]).num_rows == 0


def test_many_entities_land_in_one_commit_and_a_failed_one_writes_nothing(any_lake):
    batch = any_lake.batch("posts")
    for n in range(40):
        batch.put(f"acct{n}", D, posts([n], entity=f"acct{n}"), captured_at=CAPTURED)
        batch.put(f"acct{n}", D + timedelta(days=1), None, captured_at=CAPTURED)  # an empty day of the window
    for n in range(40):
        (batch.drop if n == 7 else batch.done)(f"acct{n}")
    stats = batch.commit()
    batch.close()
    assert stats.rows == 39 and stats.entities == 39 and stats.version == 0
    dt = DeltaTable(any_lake.table_uri("posts"), storage_options=any_lake.storage_options)
    assert dt.version() == 0 and len(dt.file_uris()) == 1  # one commit, one file for 39 entities
    assert sorted(user_rows(any_lake, "posts")["tracked_entity"].to_pylist()) == sorted(f"acct{n}" for n in range(40) if n != 7)
    assert not any_lake.exists("posts", D, "acct7") and not any_lake.exists("posts", D + timedelta(days=1), "acct7")
    assert any_lake.exists("posts", D + timedelta(days=1), "acct8")  # captured, empty


def test_bounded_memory_for_a_long_stream(tmp_path):
    """300k rows staged in 50-row pages: memory stays under the buffer; the rest spills to local disk
    and still lands in ONE commit."""
    from tiktok_assets.lake.store import Lake

    lake = Lake(str(tmp_path / "lake"), buffer_bytes=2 * 2**20)
    page = pa.Table.from_batches([posts(range(50), entity="big")])
    batch = lake.batch("posts")
    for _ in range(6000):
        batch.put("big", D, page, captured_at=CAPTURED)
        assert batch.buffered_bytes <= 2 * 2**20
    assert batch.max_buffered_bytes <= 2 * 2**20 + page.nbytes
    assert batch._spill_dir is not None and any(batch._staged["big"].spilled)
    batch.done("big")
    stats = batch.commit()
    batch.close()
    assert stats.rows == 300_000 and stats.version == 0
    assert DeltaTable(lake.table_uri("posts")).to_pyarrow_dataset().count_rows() == 300_000


def test_bad_batches_are_refused_with_clear_errors(local_lake):
    with pytest.raises(LakeWriteError, match=r"missing \['keyword'"):
        local_lake.write_partition("search_videos", D, "k", posts([1]))
    bad = posts([1]).set_column(0, "aweme_id", pa.array([None], pa.string()))
    with pytest.raises(LakeWriteError, match="required column 'aweme_id' has 1 null"):
        local_lake.write_partition("posts", D, "k", bad)
    assert local_lake.partitions("posts") == [] and local_lake.partitions("search_videos") == []
    reordered = posts([7]).select(list(reversed(SCHEMAS["posts"].names)))
    assert local_lake.write_partition("posts", D, "k", reordered).rows == 1


LONG_ACCOUNT = "a" * 600
CJK_KEYWORD = "東京ラーメン屋さん巡り" * 8 + "日本料理の名店探訪記録"  # 99 characters, 297 bytes in UTF-8


@pytest.mark.parametrize("table, extra", [("search_videos", True), ("posts", False)])
def test_unsafe_and_long_keys_round_trip(any_lake, table, extra):
    """Issue 9 §3 "Long names": a 600-character account and a ~100-character CJK keyword (over 255
    bytes once percent-encoded into a folder name, which failed with ENAMETOOLONG) are plain values."""
    keys = [*UNSAFE_KEYS, LONG_ACCOUNT, CJK_KEYWORD]
    batch = any_lake.batch(table)
    for key in keys:
        kw = {"extra": {"keyword": key, "search_rank": [1]}} if extra else {}
        batch.put(key, D, flatten(table, [video("1")], partition_date=D, tracked_entity=key, captured_at=CAPTURED, **kw),
                  captured_at=CAPTURED)
        batch.done(key)
    batch.commit()
    batch.close()
    assert sorted(k for _, k in any_lake.partitions(table)) == sorted(keys)
    got = any_lake.read(table, keys=["a/b", "..", "emoji🎉", LONG_ACCOUNT, CJK_KEYWORD], dates=["2026-11-20"])
    assert sorted(got["tracked_entity"].to_pylist()) == sorted(["a/b", "..", "emoji🎉", LONG_ACCOUNT, CJK_KEYWORD])
    assert any_lake.read(table, dates=[date(2026, 11, 21)]).num_rows == 0
    # no path in the table carries a key: only day folders and the Delta log
    names = {p.rstrip("/").rsplit("/", 1)[-1] for p in any_lake.fs.ls(any_lake.table_uri(table).removeprefix("s3://"))}
    assert names == {"_delta_log", "partition_date=2026-11-20"}


def test_writer_streams_one_capture_and_an_error_leaves_the_table_as_it_was(any_lake):
    with any_lake.writer("posts", D, "tiktok", captured_at=CAPTURED) as write:
        for n in range(5):
            write(posts([n]))
    assert sorted(any_lake.read("posts")["aweme_id"].to_pylist()) == ["0", "1", "2", "3", "4"]
    with pytest.raises(RuntimeError, match="API died"):
        with any_lake.writer("posts", D, "tiktok", captured_at=CAPTURED + timedelta(hours=1)) as write:
            write(posts([10, 11]))
            raise RuntimeError("API died")
    assert sorted(user_rows(any_lake, "posts")["aweme_id"].to_pylist()) == ["0", "1", "2", "3", "4"]
    assert DeltaTable(any_lake.table_uri("posts"), storage_options=any_lake.storage_options).version() == 0
