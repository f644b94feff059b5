"""The store: reachability errors, the Dagster resource, and DuckDB reading the public layout."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import pytest

from lake_api_items import BIG_ID, TRICKY_TEXT, video
from tests.moto_s3 import closed_port_url
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.store import Lake, LakeResource, LakeUnreachableError

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def posts(ids, entity):
    return flatten("posts", [video(str(i), desc=TRICKY_TEXT) for i in ids], partition_date=D,
                   tracked_entity=entity, captured_at=CAPTURED)


@pytest.mark.timeout(30)
def test_closed_port_endpoint_fails_fast_naming_the_url():
    endpoint = closed_port_url()
    lake = Lake("s3://some-bucket/lake", endpoint, aws_access_key_id="k", aws_secret_access_key="s")
    with pytest.raises(LakeUnreachableError) as info:
        lake.check_reachable()
    assert "s3://some-bucket/lake" in str(info.value) and endpoint in str(info.value)
    with pytest.raises(LakeUnreachableError, match="s3://some-bucket/lake"):
        lake.partitions("posts")


@pytest.mark.timeout(30)
def test_missing_bucket_names_the_bucket(moto_s3):
    lake = Lake("s3://no-such-bucket/lake", moto_s3.endpoint_url)
    with pytest.raises(LakeUnreachableError) as info:
        lake.check_reachable()
    assert "'no-such-bucket' does not exist" in str(info.value) and "s3://no-such-bucket/lake" in str(info.value)


def test_reachable_stores_pass(s3_lake, local_lake):
    s3_lake.check_reachable()
    local_lake.check_reachable()


def test_local_path_that_is_a_file_is_unreachable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LakeUnreachableError, match=str(blocker)):
        Lake(str(blocker / "lake")).check_reachable()


def test_resource_builds_local_and_s3_lakes(moto_s3, s3_bucket, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    local = LakeResource().get_lake()
    assert local.is_local and local.root == str(tmp_path / "data" / "lake")
    # credentials come from the AWS env vars set by the moto fixture
    res = LakeResource(lake_url=f"s3://{s3_bucket}/lake", s3_endpoint_url=moto_s3.endpoint_url)
    lake = res.get_lake()
    assert lake is res.get_lake() and not lake.is_local and "secret" not in repr(lake).lower()
    lake.write_partition("posts", D, "tiktok", posts([1], "tiktok"))
    assert moto_s3.filesystem().exists(f"{s3_bucket}/lake/posts/date=2026-11-20/account=tiktok/part-0.parquet")


def _duck():
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    return con


QUERY = """
    SELECT date, account, tracked_entity, count(*), min(description), typeof(date), typeof(create_time), max(aweme_id)
    FROM read_parquet('{glob}', hive_partitioning=true) GROUP BY ALL ORDER BY account
"""


def _fill(lake):
    lake.write_partition("posts", D, "tiktok", posts([BIG_ID, 2, 3], "tiktok"))
    lake.write_partition("posts", D, "a b", posts([4], "a b"))
    with lake.writer("posts", D, "tiktok") as w:  # a writer in flight must stay invisible
        w.write(posts([99], "tiktok"))
        yield


def _check(rows):
    assert rows == [
        (D, "a b", "a b", 1, TRICKY_TEXT, "DATE", "TIMESTAMP WITH TIME ZONE", "4"),
        (D, "tiktok", "tiktok", 3, TRICKY_TEXT, "DATE", "TIMESTAMP WITH TIME ZONE", BIG_ID),
    ]


def test_duckdb_reads_local_layout(local_lake):
    for _ in _fill(local_lake):
        con = _duck()
        _check(con.execute(QUERY.format(glob=f"{local_lake.root}/posts/*/*/*.parquet")).fetchall())


def test_duckdb_reads_s3_layout_through_registered_fsspec(s3_lake, moto_s3):
    for _ in _fill(s3_lake):
        con = _duck()
        con.register_filesystem(moto_s3.filesystem())
        _check(con.execute(QUERY.format(glob=f"s3://{s3_lake.root}/posts/*/*/*.parquet")).fetchall())
