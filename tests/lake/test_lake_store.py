"""The store: reachability errors, the Dagster resource, and DuckDB reading the public layout."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import pytest

from lake_api_items import BIG_ID, TRICKY_TEXT, video
from tests.moto_s3 import closed_port_url
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.store import Lake, LakeResource, LakeUnreachableError
from tiktok_assets.settings import PROJECT_ROOT

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
    # the default data/lake is relative to the project root (README: Configuration), not to the cwd
    assert local.is_local and local.root == str(PROJECT_ROOT / "data" / "lake")
    # credentials come from the AWS env vars set by the moto fixture
    res = LakeResource(lake_url=f"s3://{s3_bucket}/lake", s3_endpoint_url=moto_s3.endpoint_url)
    lake = res.get_lake()
    assert lake is res.get_lake() and not lake.is_local and "secret" not in repr(lake).lower()
    lake.write_partition("posts", D, "tiktok", posts([1], "tiktok"))
    fs = moto_s3.filesystem()
    assert fs.exists(f"{s3_bucket}/lake/posts/_delta_log/00000000000000000000.json")
    assert len(fs.glob(f"{s3_bucket}/lake/posts/partition_date=2026-11-20/*.parquet")) == 1


@pytest.mark.timeout(60)
def test_store_that_never_answers_fails_within_the_timeout_naming_the_endpoint(monkeypatch):
    """Issue 9 §3: an endpoint that accepts connections but never replies hung for 366 s. With
    TIKTOK_LAKE_TIMEOUT_SECONDS=1 every lake call ends in LakeUnreachableError within seconds."""
    import socket
    import threading
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # accept, never answer
            except OSError:
                continue

    threading.Thread(target=accept_and_hold, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("TIKTOK_LAKE_TIMEOUT_SECONDS", "1")
    try:
        lake = Lake("s3://silent-bucket/lake", endpoint, aws_access_key_id="k", aws_secret_access_key="s")
        assert lake.timeout == 1.0
        for call in (lake.check_reachable, lambda: lake.partitions("posts"), lambda: lake.read("posts"),
                     lambda: lake.write_partition("posts", D, "tiktok", posts([1], "tiktok"))):
            started = time.monotonic()
            with pytest.raises(LakeUnreachableError) as info:
                call()
            assert time.monotonic() - started < 15
            assert endpoint in str(info.value) and "s3://silent-bucket/lake" in str(info.value)
        assert held, "the endpoint was reached (and never answered)"
    finally:
        stop.set()
        server.close()
        for conn in held:
            conn.close()


def test_bad_timeout_setting_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("TIKTOK_LAKE_TIMEOUT_SECONDS", "soon")
    with pytest.raises(ValueError, match="TIKTOK_LAKE_TIMEOUT_SECONDS must be a number of seconds, got 'soon'"):
        Lake("/tmp/lake")


def _duck():
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    return con


QUERY = """
    SELECT partition_date, tracked_entity, count(*), min(description), typeof(partition_date), typeof(create_time), max(aweme_id)
    FROM {source} GROUP BY ALL ORDER BY tracked_entity
"""


def _fill(lake):
    """Two committed captures, then a batch staged but not committed: it must stay invisible."""
    lake.write_partition("posts", D, "tiktok", posts([BIG_ID, 2, 3], "tiktok"))
    lake.write_partition("posts", D, "a b", posts([4], "a b"))
    batch = lake.batch("posts")
    batch.put("tiktok", D, posts([99], "tiktok"), captured_at=CAPTURED)
    batch.done("tiktok")
    yield
    batch.close()


def _check(rows):
    assert rows == [
        (D, "a b", 1, TRICKY_TEXT, "DATE", "TIMESTAMP WITH TIME ZONE", "4"),
        (D, "tiktok", 3, TRICKY_TEXT, "DATE", "TIMESTAMP WITH TIME ZONE", BIG_ID),
    ]


def _live_files_source(lake):
    files = ", ".join("'" + f + "'" for f in lake.file_uris("posts"))
    return f"read_parquet([{files}], hive_partitioning=true)"


def test_duckdb_reads_local_table_through_live_files_and_pyarrow_dataset(local_lake):
    from deltalake import DeltaTable

    for _ in _fill(local_lake):
        con = _duck()
        _check(con.execute(QUERY.format(source=_live_files_source(local_lake))).fetchall())
        dataset = DeltaTable(local_lake.table_uri("posts")).to_pyarrow_dataset()
        con.register("posts_ds", dataset)
        _check(con.execute(QUERY.format(source="posts_ds")).fetchall())


def test_duckdb_reads_s3_table_through_registered_fsspec(s3_lake, moto_s3):
    from deltalake import DeltaTable

    for _ in _fill(s3_lake):
        con = _duck()
        con.register_filesystem(moto_s3.filesystem())
        _check(con.execute(QUERY.format(source=_live_files_source(s3_lake))).fetchall())
        con.register("posts_ds", DeltaTable(s3_lake.table_uri("posts"), storage_options=s3_lake.storage_options).to_pyarrow_dataset())
        _check(con.execute(QUERY.format(source="posts_ds")).fetchall())
