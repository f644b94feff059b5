"""flush_ledger / ledger_flushing on a real local lake: layout, append safety, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.budget.budget_helpers import NOW, entries
from tiktok_assets.budget.ledger_sink import flush_ledger, ledger_flushing
from tiktok_assets.budget.usage import read_ledger


class FakeLedgerClient:
    """Stands in only for the client's ``ledger`` list (the client itself is tested elsewhere)."""

    def __init__(self):
        self.ledger = []


def test_rows_land_under_the_utc_day_of_each_request(lake):
    late = entries(2, at=NOW.replace(hour=23, minute=59, second=59))  # the second one is past midnight
    paths = flush_ledger(lake, late, "run-a", label="posts")
    # the lake's day folders (Delta layout: partition_date=...); the flush key is a column
    assert [p.rstrip("/").rsplit("/", 1)[1] for p in paths] == ["partition_date=2026-11-20", "partition_date=2026-11-21"]
    assert all(key.startswith("run-a.posts-") for _day, key in lake.partitions("credit_ledger"))
    table = read_ledger(lake)
    assert sorted(map(str, table["partition_date"].to_pylist())) == ["2026-11-20", "2026-11-21"]
    assert set(table["run_id"].to_pylist()) == {"run-a"}


def test_two_flushes_of_one_run_keep_all_rows(lake):
    flush_ledger(lake, entries(3, asset="posts"), "run-a", label="posts")
    flush_ledger(lake, entries(2, asset="videos", at=NOW + timedelta(minutes=1)), "run-a", label="videos")
    flush_ledger(lake, entries(2, asset="videos", at=NOW + timedelta(minutes=2)), "run-a", label="videos")  # a retry
    table = read_ledger(lake)
    assert table.num_rows == 7
    assert sorted(table["asset"].to_pylist()) == ["posts"] * 3 + ["videos"] * 4
    assert len(lake.partitions("credit_ledger")) == 3


def test_ledger_flushing_writes_what_a_failed_block_spent(lake):
    client = FakeLedgerClient()
    client.ledger.extend(entries(2, asset="profiles"))  # spent before the block: not this step's
    with pytest.raises(RuntimeError, match="boom"):
        with ledger_flushing(lake, client, "run-a", asset="posts"):
            client.ledger.extend(entries(3, asset=None, at=NOW + timedelta(seconds=10)))
            raise RuntimeError("boom")
    table = read_ledger(lake)
    assert table.num_rows == 3
    assert table["asset"].to_pylist() == ["posts"] * 3  # untagged entries get the step's asset


def test_two_assets_flushing_at_once_on_one_client_each_write_their_own(lake):
    """A family runs its assets at once on the run's one client: blocks that overlap must not both
    export the other's entries (no shared state here, so the block's own entries are written)."""
    client = FakeLedgerClient()
    with ledger_flushing(lake, client, "run-a", asset="comments"):
        with ledger_flushing(lake, client, "run-a", asset="search_videos"):
            client.ledger.extend(entries(2, asset="comments"))
            client.ledger.extend(entries(3, asset="search_videos", at=NOW + timedelta(seconds=5)))
        client.ledger.extend(entries(1, asset="comments", at=NOW + timedelta(seconds=9)))
    table = read_ledger(lake)
    assert sorted(table["asset"].to_pylist()) == ["comments"] * 3 + ["search_videos"] * 3


def test_nothing_spent_writes_nothing(lake):
    with ledger_flushing(lake, FakeLedgerClient(), "run-a", asset="posts"):
        pass
    assert lake.partitions("credit_ledger") == []


def test_run_id_is_required(lake):
    with pytest.raises(ValueError, match="run_id"):
        flush_ledger(lake, entries(1), "")
