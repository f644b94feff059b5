"""The sink holds pages as Python columns and converts them to Arrow once per ``HOLD_ROWS`` rows.

Real parts: a real :class:`AssetRun` (Dagster's own ``build_asset_context``), a local Delta lake and
its TableBatch. What must hold: nothing reaches the batch before the threshold or the commit, every
row lands exactly once, ``days`` already counts held days (``videos`` reads it before committing),
and a held value the schema cannot hold fails its entity at commit while other entities commit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dagster import build_asset_context

from lake_api_items import comment
from tiktok_assets.assets import sink as sink_module
from tiktok_assets.assets.asset_run import AssetRun, TikTokConfig
from tiktok_assets.assets.fanout import EntityOutcome
from tiktok_assets.assets.sink import DaySink
from tiktok_assets.assets.windows import Window
from tiktok_assets.lake.flatten import FlattenError
from tiktok_assets.lake.store import Lake

DAY = date(2024, 3, 27)  # comment()'s create_time falls on it


@pytest.fixture
def run(tmp_path):
    return AssetRun(build_asset_context(), "comments", None, Lake(str(tmp_path / "lake")), Window(DAY, DAY),
                    TikTokConfig(), captured_at=datetime(2024, 3, 27, 9, 0, tzinfo=UTC))


def page(first: int, n: int) -> list[dict]:
    return [comment(str(first + i)) for i in range(n)]


def test_pages_are_held_until_the_threshold_then_staged_once(run, monkeypatch):
    monkeypatch.setattr(sink_module, "HOLD_ROWS", 5)
    outcome = EntityOutcome("acct")
    sink = DaySink(run, "acct", outcome)
    assert sink.add(page(100, 3), {"aweme_id": "9"}) == 3
    assert not run.batch().has("acct") and outcome.rows == 0 and sink.days == {DAY}  # held, day known
    sink.add(page(200, 3), {"aweme_id": "9"})  # 6 >= 5: converted and staged together
    assert run.batch().has("acct") and outcome.rows == 6
    sink.add(page(300, 2), {"aweme_id": "9"})  # held again, converted by commit
    assert outcome.rows == 6
    sink.commit()
    assert outcome.rows == 8
    run.batch().commit()
    cids = sorted(run.lake.read("comments").column("cid").to_pylist())
    assert cids == sorted(str(n) for n in [100, 101, 102, 200, 201, 202, 300, 301])


def test_a_held_value_the_schema_cannot_hold_fails_its_entity_at_commit_only(run):
    bad, good = DaySink(run, "bad", EntityOutcome("bad")), DaySink(run, "good", EntityOutcome("good"))
    bad.add(page(1, 2), {"aweme_id": "9"})
    bad.add([comment("3", is_author_digged=None)], {"aweme_id": "9", "is_author_digged": "maybe"})
    good.add(page(10, 2), {"aweme_id": "8"})
    with pytest.raises(FlattenError, match="comments: values do not fit the schema"):
        bad.commit()
    assert not run.batch().has("bad")  # aborted: nothing of it staged
    with pytest.raises(RuntimeError, match="already committed or aborted"):
        bad.add(page(20, 1), {"aweme_id": "9"})
    good.commit()
    run.batch().commit()
    table = run.lake.read("comments")
    assert sorted(table.column("cid").to_pylist()) == ["10", "11"]
    assert set(table.column("tracked_entity").to_pylist()) == {"good"}


def test_abort_drops_held_rows(run):
    outcome = EntityOutcome("acct")
    sink = DaySink(run, "acct", outcome)
    sink.add(page(1, 4), {"aweme_id": "9"})
    sink.abort()
    assert not run.batch().has("acct") and outcome.rows == 0
    assert run.batch().commit() is None and run.lake.read("comments").num_rows == 0
