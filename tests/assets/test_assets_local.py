"""All eleven assets against the simulator over real HTTP, on a local lake in tmp_path."""

from __future__ import annotations

from datetime import timedelta

from tests.assets.conftest import ALL, DEMO, check, metadata
from tests.assets.truth import ids, in_window, lake_ids, posts_in
from tiktok_assets.assets.windows import Window, today_utc, utc_day


def assert_universe_truth(p) -> None:
    u, lake, today = p.sim.universe, p.lake, today_utc()
    w = Window(today, today)
    prof = lake.read("profiles", dates=[today])
    assert sorted(prof["unique_id"].to_pylist()) == sorted(DEMO["accounts"])
    assert {r["unique_id"]: r["sec_uid"] for r in prof.to_pylist()} == {a: u.account(a)["sec_uid"] for a in DEMO["accounts"]}
    for a in DEMO["accounts"]:
        assert sorted(lake_ids(lake, "posts", today, a)) == sorted(posts_in(u, a, w))
        assert sorted(lake_ids(lake, "followers", today, a, "uid")) == sorted(ids(u.followers_of(a), "uid"))
        assert sorted(lake_ids(lake, "followings", today, a, "uid")) == sorted(ids(u.followings_of(a), "uid"))
    for h in DEMO["hashtags"]:
        hid = u.hashtag(h)["challenge"]["id"]
        assert lake_ids(lake, "hashtags", today, h, "hashtag_id") == [hid]
        feed = lake_ids(lake, "hashtag_videos", today, h)  # the top of the feed as served (by likes), no gap
        assert feed and len(feed) == len(set(feed)) and set(feed) == ids(u.hashtag_videos_of(hid)[: len(feed)])
    for k in DEMO["keywords"]:
        # in rank order: pages are staged as they arrive, and the lake keeps no row order (search_rank does)
        su = lake.read("search_users", keys=[k]).sort_by("search_rank")
        assert su["uid"].to_pylist() == [x["user_info"]["uid"] for x in u.search_users(k)]
        assert su["search_rank"].to_pylist() == list(range(1, su.num_rows + 1))
        expected = in_window(u.search_videos(k, "1", "0"), w)
        assert sorted(lake_ids(lake, "search_videos", today, k)) == sorted(ids(expected))
    # videos: one detail row per distinct discovered id
    # (a hashtag feed capture lists videos of any age: only those created in the window are detailed)
    listed = lake.read("hashtag_videos", columns=["aweme_id", "create_time"]).to_pylist()
    # (posts also holds the re-observed days before today: only the window's posts are detailed)
    discovered = set(lake_ids(lake, "posts", today)) | set(lake_ids(lake, "search_videos")) | \
        {r["aweme_id"] for r in listed if r["create_time"].date() == today}
    vids = lake_ids(lake, "videos")
    assert sorted(vids) == sorted(discovered) and len(vids) == len(set(vids))
    # comments created today on each account's (up to 10) most recent videos the lake knows: the
    # daily posts run re-observes the 7 days before today, so those are the posts created since today-7
    for a in DEMO["accounts"]:
        recent = sorted((x for x in u.posts_of(a) if utc_day(x["create_time"]) <= today),
                        key=lambda x: int(x["create_time"]), reverse=True)
        selected = [x["aweme_id"] for x in recent if utc_day(x["create_time"]) >= today - timedelta(days=7)][:10]
        expected = set()
        for vid in selected:
            expected |= ids(in_window(u.comments_of(vid), w), "cid")
        assert set(lake_ids(lake, "comments", today, a, "cid")) == expected


def test_all_assets_today_match_universe_and_rerun_is_idempotent(pipeline) -> None:
    today = today_utc()
    result = pipeline.run(ALL, today)
    assert result.success
    for name in ALL:
        md = metadata(result, name)
        assert check(result, name).passed, name
        # one detail request per video discovered today: none just after midnight UTC
        spent = md.get("run_credits_used", md["credits_used"])  # a daily posts run spreads its credits over 8 days
        assert md["dagster/row_count"] >= 0 and spent >= (0 if name == "videos" else 1), name
    assert_universe_truth(pipeline)
    assert metadata(result, "videos")["credits_used"] == len(lake_ids(pipeline.lake, "videos"))
    # the daily posts run re-observed the 7 days before today: each of the 8 days is reported
    # materialized, with the rows the lake holds for it and the run's credits spread over them
    posts = {e.materialization.partition: {k: v.value for k, v in e.materialization.metadata.items()}
             for e in result.get_asset_materialization_events() if e.materialization.asset_key.path[-1] == "posts"}
    days = [today - timedelta(days=i) for i in range(7, -1, -1)]
    assert sorted(posts) == [str(d) for d in days]
    held = pipeline.lake.rows_per_day("posts", days)
    assert {p: md["dagster/row_count"] for p, md in posts.items()} == {str(d): n for d, n in held.items()}
    assert sum(md["credits_used"] for md in posts.values()) == posts[str(today)]["run_credits_used"] >= 1
    total = {t: pipeline.lake.read(t).num_rows for t in ALL}
    files = {t: pipeline.lake.partitions(t) for t in ALL}
    # every event row sits in the partition of its UTC create day; a hashtag feed under its capture day
    assert {r["partition_date"] for r in pipeline.lake.read("hashtag_videos", columns=["partition_date"]).to_pylist()} == {today}
    for t in ("posts", "search_videos", "comments", "comment_replies", "videos"):
        rows = pipeline.lake.read(t, columns=["create_time", "partition_date"]).to_pylist()
        assert all(r["create_time"].date() == r["partition_date"] for r in rows), t
    pipeline.sim.reset_stats()
    again = pipeline.run(ALL, today)
    assert again.success
    assert {t: pipeline.lake.read(t).num_rows for t in ALL} == total
    assert {t: pipeline.lake.partitions(t) for t in ALL} == files
    assert pipeline.sim.stats()["requests"].get("/api/v1/tiktok/video", 0) == 0  # details already stored
    assert_universe_truth(pipeline)


def test_snapshot_in_a_past_range_run_captures_now_under_today(pipeline) -> None:
    """Snapshot assets have no partitions: in a run launched for past days (a UI backfill of the
    whole group) they capture the current state, filed under today, never under the past days."""
    today = today_utc()
    yesterday = today - timedelta(days=1)
    result = pipeline.run(("profiles", "posts"), yesterday - timedelta(days=2), yesterday)
    assert result.success
    assert sorted(pipeline.lake.partitions("profiles")) == [(today, a) for a in sorted(DEMO["accounts"])]
    assert metadata(result, "profiles")["dagster/row_count"] == 3
    mats = [e.materialization for e in result.get_asset_materialization_events()]
    assert sorted(m.partition for m in mats if m.asset_key.path[-1] == "posts") == \
        [str(yesterday - timedelta(days=i)) for i in (2, 1, 0)]
    assert [m.partition for m in mats if m.asset_key.path[-1] == "profiles"] == [None]


def test_failing_account_isolated_and_check_names_it(pipeline) -> None:
    today = today_utc()
    pipeline.track(accounts=["chef_lina", "gone_creator", "pixel_pets"])
    result = pipeline.run(("profiles", "posts"), today)
    assert result.success
    for name in ("profiles", "posts"):
        ev = check(result, name)
        assert not ev.passed and "gone_creator" in ev.description
        assert metadata(result, name)["failed_entities"] == ["gone_creator"]
    assert sorted(k for _d, k in pipeline.lake.partitions("profiles")) == ["chef_lina", "pixel_pets"]
    assert {k for _d, k in pipeline.lake.partitions("posts")} == {"chef_lina", "pixel_pets"}


def test_empty_partition_has_stable_schema(pipeline) -> None:
    from tiktok_assets.lake.schemas import SCHEMAS

    day = today_utc() - timedelta(days=400)  # before any simulated post
    pipeline.track(accounts=["pixel_pets"])
    result = pipeline.run(("posts",), day)
    assert result.success and metadata(result, "posts")["dagster/row_count"] == 0
    assert pipeline.lake.partitions("posts") == [(day, "pixel_pets")]
    t = pipeline.lake.read("posts", dates=[day])
    assert t.num_rows == 0 and t.schema.equals(SCHEMAS["posts"])


def test_unicode_keyword_round_trip(pipeline) -> None:
    kw = "東京 ramen 🍜"
    pipeline.track(keywords=[kw])
    result = pipeline.run(("search_users",), today_utc())
    assert result.success
    [(day, key)] = pipeline.lake.partitions("search_users")
    assert key == kw
    # the key is a column, never a folder: the table's only folders are days (and the Delta log)
    assert sorted(p.rsplit("/", 1)[-1] for p in pipeline.lake.fs.ls(pipeline.lake.table_uri("search_users"))) == \
        ["_delta_log", f"partition_date={day.isoformat()}"]
    t = pipeline.lake.read("search_users", keys=[kw])
    assert set(t["keyword"].to_pylist()) == {kw} and set(t["tracked_entity"].to_pylist()) == {kw}
    assert t.num_rows == len(pipeline.sim.universe.search_users(kw)) > 0
    assert set(t["partition_date"].to_pylist()) == {today_utc()}


def test_rejected_key_stops_run_with_clear_failure(pipeline, monkeypatch) -> None:
    monkeypatch.setenv("SCAVIO_API_KEY", "sk_wrong_key_for_test_0000")
    result = pipeline.run(("profiles",), today_utc())
    assert not result.success
    [failure] = result.get_step_failure_events()
    text = failure.step_failure_data.user_failure_data.description
    assert "AuthError" in text and "stopped" in text and "sk_wrong_key" not in text
    assert pipeline.lake.partitions("profiles") == []
