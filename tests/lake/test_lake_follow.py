"""Followed tables (``lake/follow.py``): the rows stay exactly the table's, while each new version
costs only the files it added.

Why these tests: the capture log and the band checks' ledger window are read many times per step
and now follow the Delta log instead of re-reading it. Following is only worth having if it is never
wrong, so each test compares the followed rows with a fresh read after the changes a table goes
through: appends (also by another writer), compaction (files replaced by others holding the same
rows), deletes (files rewritten), on a local folder and on S3.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lake_api_items import video
from tiktok_assets.budget.checks import BAND_COLUMNS, LedgerWindow, band_result
from tiktok_assets.budget.settings import utc_now
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.follow import DeltaFollower
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.store import Lake
from tiktok_assets.scavio.types import LedgerEntry

COLUMNS = ["run_id", "asset", "entity", "credits_used"]
D1, D2 = date(2026, 11, 20), date(2026, 11, 21)


def _flush(lake: Lake, run_id: str, asset: str, n: int, day: date = D1, flush_id: str | None = None,
           entities: int | None = None) -> None:
    """``n`` requests of ``run_id`` for ``asset`` on ``day`` (over ``entities`` entities, default one each)."""
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()
    entries = [LedgerEntry("/api/v1/tiktok/posts", f"h{i}", 200, 1, 100, 10.0, at + i, asset, day.isoformat(),
                           f"e{i % (entities or n)}", run_id) for i in range(n)]
    lake.append_ledger(ledger_rows(entries), flush_id=flush_id or f"{run_id}.{asset}")


def _rows(table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_a_new_version_reads_only_its_files_and_the_rows_match_a_fresh_read(any_lake):
    follower = any_lake.follow("credit_ledger", COLUMNS)
    assert any_lake.snapshot(follower) is None  # no table yet
    _flush(any_lake, "r1", "posts", 3)
    first = any_lake.snapshot(follower)
    assert first.since is None and first.rows.num_rows == 3
    _flush(any_lake, "r1", "comments", 2, day=D2)
    second = any_lake.snapshot(follower)
    assert second.since == first.version and second.version > first.version
    assert _rows(second.added) == [("r1", "comments", "e0", 1), ("r1", "comments", "e1", 1)]  # only the new file
    assert _rows(second.rows) == _rows(any_lake.read("credit_ledger", columns=COLUMNS))
    assert any_lake.snapshot(follower) is second  # same version: nothing read


def test_another_writer_s_commits_are_followed(any_lake, tmp_path):
    follower = any_lake.follow("credit_ledger", COLUMNS)
    _flush(any_lake, "r1", "posts", 2)
    any_lake.snapshot(follower)
    other = Lake(any_lake.url, any_lake.s3_endpoint_url)  # another pod: its own Lake, the same store
    _flush(other, "r2", "posts", 4)
    snap = any_lake.snapshot(follower)
    assert [r["run_id"] for r in snap.added.to_pylist()] == ["r2"] * 4
    assert snap.rows.num_rows == 6


def test_compaction_and_deletes_drop_the_rows_of_removed_files(any_lake):
    follower = any_lake.follow("credit_ledger", COLUMNS)
    lean = DeltaFollower(any_lake, any_lake.table_uri("credit_ledger"), COLUMNS, keep_rows=False)
    for n in range(3):
        _flush(any_lake, f"r{n}", "posts", 2)
    assert any_lake.snapshot(follower).rows.num_rows == 6
    assert lean.snapshot().rows is None and lean.snapshot().added.num_rows == 6
    assert any_lake.compact("credit_ledger", before=D2)["numFilesRemoved"] == 3  # 3 files -> 1, same rows
    compacted = any_lake.snapshot(follower)
    assert compacted.since is None and _rows(compacted.rows) == _rows(any_lake.read("credit_ledger", columns=COLUMNS))
    assert compacted.rows.num_rows == 6  # not 12: the replaced files' rows are gone
    reread = lean.snapshot()  # holds no rows: a removal reads every live file again
    assert reread.since is None and _rows(reread.added) == _rows(compacted.rows)
    any_lake.delete_partition("credit_ledger", D1, "r1.posts")
    deleted = any_lake.snapshot(follower)
    assert sorted({r["run_id"] for r in deleted.rows.to_pylist()}) == ["r0", "r2"]
    assert _rows(deleted.rows) == _rows(any_lake.read("credit_ledger", columns=COLUMNS))


def test_dates_select_the_files_and_partition_columns_are_refused(local_lake):
    _flush(local_lake, "r1", "posts", 2, day=D1)
    _flush(local_lake, "r2", "posts", 3, day=D2)
    assert local_lake.snapshot(local_lake.follow("credit_ledger", COLUMNS, dates=[D2])).rows.num_rows == 3
    with pytest.raises(ValueError, match=r"\['partition_date'\] are partition columns"):
        local_lake.snapshot(local_lake.follow("credit_ledger", ["partition_date"]))


def test_the_capture_index_follows_commits_other_writers_and_deletes(any_lake):
    def capture(lake: Lake, day: date, entity: str, ids: list[str]) -> None:
        at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
        lake.write_partition("posts", day, entity, flatten("posts", [video(i) for i in ids], partition_date=day,
                                                           tracked_entity=entity, captured_at=at))

    capture(any_lake, D1, "a", ["1"])
    first = any_lake.captures.index("posts")
    assert list(first) == [(D1, "a")] and first[(D1, "a")]["rows"] == 1
    other = Lake(any_lake.url, any_lake.s3_endpoint_url)
    capture(other, D1, "b", ["2", "3"])
    capture(other, D1, "a", ["4", "5", "6"])  # a newer capture of (D1, a)
    index = any_lake.captures.index("posts")
    assert {k: v["rows"] for k, v in index.items()} == {(D1, "a"): 3, (D1, "b"): 2}
    assert first == {(D1, "a"): first[(D1, "a")]} and first[(D1, "a")]["rows"] == 1  # a returned index never changes
    any_lake.delete_partition("posts", D1, "b")
    assert sorted(any_lake.captures.index("posts")) == [(D1, "a")]
    assert any_lake.exists("posts", D1, "a") and not any_lake.exists("posts", D1, "b")


def test_the_band_window_sees_rows_flushed_after_its_first_read(local_lake):
    """Each asset's band check runs once the asset has flushed: a window read at the first check must
    still count a later asset's rows of this run (else its check would see no spend)."""
    today = utc_now().date()
    for n in range(3):  # three earlier runs of posts, 2 credits each
        _flush(local_lake, f"old{n}", "posts", 2, day=today - timedelta(days=3 - n))
    _flush(local_lake, "now", "comments", 1, day=today)
    window = LedgerWindow(local_lake)
    assert band_result(window.rows(), "comments", "now").metadata["credits_per_entity_day"].value == 1.0
    _flush(local_lake, "now", "posts", 40, day=today, entities=1)  # posts flushes after comments' check
    band = band_result(window.rows(), "posts", "now")
    assert band.metadata["previous_runs"].value == 3
    assert not band.passed and "ABOVE" in band.description  # 40 credits for one entity-day vs a median of 1
    assert set(window.rows().column_names) == set(BAND_COLUMNS)


@pytest.fixture(params=["local", "s3"])
def odd_lake(request, tmp_path) -> Lake:
    """A lake whose root holds a space and a ``%`` (a home folder like ``/home/Jane Doe``, a benchmark's
    ``host 1 of 2``): the Delta log holds its files' paths percent-encoded."""
    if request.param == "local":
        return Lake(str(tmp_path / "my lake 100%"))
    s3 = request.getfixturevalue("moto_s3")
    bucket = request.getfixturevalue("s3_bucket")
    return Lake(f"s3://{bucket}/my lake 100%", s3.endpoint_url, aws_access_key_id=s3.key,
                aws_secret_access_key=s3.secret)


def test_a_lake_path_with_a_space_and_a_percent_is_followed_and_its_files_open(odd_lake):
    """The multihost benchmark's hosts (lakes under ``host 1 of 2``) failed every table check with
    FileNotFoundError on ``host%201%20of%202``: the follower opened delta-rs's encoded URIs as paths."""
    follower = odd_lake.follow("credit_ledger", COLUMNS)
    _flush(odd_lake, "r1", "posts", 3)
    _flush(odd_lake, "r1", "comments", 2, day=D2)
    snap = odd_lake.snapshot(follower)
    assert _rows(snap.rows) == _rows(odd_lake.read("credit_ledger", columns=COLUMNS))
    assert snap.rows.num_rows == 5
    uris = odd_lake.file_uris("credit_ledger")  # what dbt's DuckDB reads (``dbt/lake_files.py``)
    assert len(uris) == 2 and all("my lake 100%/" in u for u in uris), uris
    assert all(odd_lake.fs.exists(u) for u in uris)
    assert [len(odd_lake.file_uris("credit_ledger", dates=[d])) for d in (D1, D2)] == [1, 1]
