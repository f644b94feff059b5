"""Single-run range backfills: one run, one pagination pass per entity, subset by run tag."""

from __future__ import annotations

from datetime import timedelta

from dagster import DagsterInstance

from tests.assets.truth import lake_ids, one_pass_pages, posts_in
from tiktok_assets.assets.windows import Window, today_utc

POSTS = "/api/v1/tiktok/user/posts"
PROFILE = "/api/v1/tiktok/profile"


def test_30_day_posts_backfill_is_one_run_and_one_pass(make_pipeline, simulator_factory) -> None:
    sim = simulator_factory(quirks=frozenset())
    p = make_pipeline(sim)
    p.track(accounts=["chef_lina"])
    today = today_utc()
    w = Window(today - timedelta(days=30), today - timedelta(days=1))
    instance = DagsterInstance.ephemeral()
    result = p.run(("posts",), w.start, w.end, instance=instance)
    assert result.success
    assert len(instance.get_runs()) == 1
    mats = result.get_asset_materialization_events()
    assert sorted(e.partition for e in mats) == [d.isoformat() for d in w.days()]
    u = sim.universe
    requests = sim.stats()["requests"]
    expected_pages = one_pass_pages(u, "chef_lina", w)
    per_day_total = sum(one_pass_pages(u, "chef_lina", Window(d, d)) for d in w.days())
    assert requests.get(POSTS, 0) == expected_pages
    assert requests.get(PROFILE, 0) == 1  # sec_uid resolved once
    assert expected_pages * 5 <= per_day_total, (expected_pages, per_day_total)
    assert sorted(lake_ids(p.lake, "posts")) == sorted(posts_in(u, "chef_lina", w))
    assert sorted(d for d, _k in p.lake.partitions("posts")) == w.days()  # empty days too


def test_entities_tag_fetches_only_that_entity(pipeline) -> None:
    today = today_utc()
    result = pipeline.run(("profiles", "posts"), today, tags={"tiktok/entities": "urban_runner"})
    assert result.success
    requests = pipeline.sim.stats()["requests"]
    assert requests.get(PROFILE, 0) == 1
    assert requests.get(POSTS, 0) == one_pass_pages(pipeline.sim.universe, "urban_runner", Window(today, today))
    assert {k for _d, k in pipeline.lake.partitions("posts")} == {"urban_runner"}
    assert {k for _d, k in pipeline.lake.partitions("profiles")} == {"urban_runner"}


def test_config_entities_override(pipeline) -> None:
    today = today_utc()
    cfg = {"ops": {"tiktok_snapshots": {"config": {"profiles": {"entities": ["pixel_pets"]}}}}}
    result = pipeline.run(("profiles",), today, run_config=cfg)
    assert result.success
    assert [k for _d, k in pipeline.lake.partitions("profiles")] == ["pixel_pets"]
