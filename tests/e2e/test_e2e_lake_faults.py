"""Issue 9 §3 items owned by the lake, end to end: assets over the simulator (real HTTP) into Delta.

- Long names: a ~100-character CJK keyword (297 bytes in UTF-8, over 255 once percent-encoded into a
  folder name, which failed with ENAMETOOLONG and took the whole asset down) is captured like any
  other; the key is a column.
- A failed entity of ``videos`` writes nothing that looks like data: no rows, no capture record; its
  absence is in the metadata and ``entities_ok``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from deltalake import DeltaTable

from tests.assets.conftest import make_pipeline, metadata, check, Pipeline  # noqa: F401  (fixture)
from tiktok_assets.assets.windows import today_utc

CJK_KEYWORD = "東京ラーメン屋さん巡り" * 8 + "日本料理の名店探訪記録"


def user_table(p: Pipeline, table: str):
    return DeltaTable(p.lake.table_uri(table), storage_options=p.lake.storage_options).to_pyarrow_dataset().to_table()


def test_long_cjk_keyword_is_captured_beside_the_others(make_pipeline, simulator) -> None:  # noqa: F811
    assert len(CJK_KEYWORD) == 99 and len(CJK_KEYWORD.encode()) == 297
    p = make_pipeline(simulator)
    p.track(keywords=[CJK_KEYWORD, "cooking recipe"])
    result = p.run(("search_users", "search_videos"), today_utc())
    assert result.success
    assert check(result, "search_users").passed and check(result, "search_videos").passed
    rows = user_table(p, "search_users")
    for kw in (CJK_KEYWORD, "cooking recipe"):
        got = sorted(r["sec_uid"] for r in rows.to_pylist() if r["tracked_entity"] == kw)
        truth = sorted(u["user_info"]["sec_uid"] if "user_info" in u else u["sec_uid"] for u in simulator.universe.search_users(kw))
        assert got == truth and got, kw
    assert {k for _d, k in p.lake.partitions("search_users")} == {CJK_KEYWORD, "cooking recipe"}
    assert metadata(result, "search_videos")["failed_entities"] == []


def test_failed_video_source_writes_nothing(make_pipeline, simulator, monkeypatch) -> None:  # noqa: F811
    """A /video request of one source fails (500, no retries): that source has no rows and no capture
    record, nothing more is spent on it, the other source is written, and entities_ok names the failed one."""
    monkeypatch.setenv("SCAVIO_MAX_RETRIES", "0")
    monkeypatch.setenv("SCAVIO_MAX_CONCURRENCY", "1")  # requests reach the simulator in discovery order
    p = make_pipeline(simulator)
    p.track(accounts=["chef_lina"], keywords=["cooking recipe"])
    # the week before today: complete days, and both sources found videos in it whatever the hour
    first, last = today_utc() - timedelta(days=7), today_utc() - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range(7)]
    assert p.run(("posts", "search_videos"), first, last).success
    posts = {r["aweme_id"] for r in p.lake.read("posts", dates=days).to_pylist()}
    searched = {r["aweme_id"] for r in p.lake.read("search_videos", dates=days).to_pylist()} - posts
    assert posts and searched, "both sources discovered videos created that week"
    # the account's first video fails; the keyword's succeed (videos are fetched in discovery order:
    # posts first), and the failed source's other videos are not requested (no credit spent on them)
    simulator.enqueue_faults([{"status": 500}])
    simulator.reset_stats()
    result = p.run(("videos",), first, last)
    # at most one more of the failed source's videos was already in flight (concurrency 1)
    assert 1 + len(searched) <= simulator.stats()["requests"].get("/api/v1/tiktok/video", 0) <= 2 + len(searched)
    md = metadata(result, "videos")
    assert md["failed_entities"] == ["account:chef_lina"]
    assert not check(result, "videos").passed
    rows = user_table(p, "videos")
    assert set(rows["tracked_entity"].to_pylist()) == {"keyword:cooking recipe"}
    assert set(rows["aweme_id"].to_pylist()) == searched
    assert {k for _d, k in p.lake.partitions("videos")} == {"keyword:cooking recipe"}
    assert not any(p.lake.exists("videos", d, "account:chef_lina") for d in days)


def test_entity_status_marks_a_deleted_account(make_pipeline, simulator, tmp_path, monkeypatch) -> None:  # noqa: F811
    """Issue 10 §3 "Entity status": captured, then a 404 on the next capture: the status table says
    not_found, and dim_accounts marks the account gone instead of silently keeping its numbers."""
    import duckdb

    from tiktok_assets.dbt.runner import run_dbt_build

    monkeypatch.setenv("SCAVIO_MAX_RETRIES", "0")
    p = make_pipeline(simulator)
    p.track(accounts=["chef_lina", "pixel_pets"], hashtags=[], keywords=[])
    today = today_utc()
    first = p.run(("profiles",), today)
    assert first.success and check(first, "profiles").passed
    # chef_lina is gone: its handle and (the rename check) its recorded sec_uid both answer 404
    simulator.enqueue_faults([{"status": 404}, {"status": 404}])
    monkeypatch.setenv("SCAVIO_MAX_CONCURRENCY", "1")
    # captured_at has whole seconds (the lake's contract): the next capture must be a later second to be
    # the latest one, as any real rerun is
    time.sleep(1.0 - datetime.now(UTC).microsecond / 1e6)
    second = p.run(("profiles",), today)
    assert metadata(second, "profiles")["failed_entities"] == ["chef_lina"]
    status = user_table(p, "entity_status").to_pylist()
    got = sorted((r["asset"], r["tracked_entity"], r["status"], r["run_id"] == second.run_id) for r in status)
    assert got == [("profiles", "chef_lina", "not_found", True), ("profiles", "chef_lina", "ok", False),
                   ("profiles", "pixel_pets", "ok", False), ("profiles", "pixel_pets", "ok", True)]
    # the first capture's profile is still the latest profile in the lake: the 404 deleted nothing
    assert {r["tracked_entity"] for r in p.lake.read("profiles").to_pylist()} == {"chef_lina", "pixel_pets"}

    summary = run_dbt_build(p.lake.url, str(tmp_path / "w.duckdb"))
    assert summary.success, summary.describe()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        accounts = {r[0]: r[1:] for r in con.execute(
            "select username, account_status, is_gone, follower_count, last_seen_date from marts.dim_accounts").fetchall()}
        entities = {r[0]: r[1:] for r in con.execute(
            "select tracked_entity, latest_status, is_gone, captures, failed_captures, last_seen_date "
            "from marts.dim_tracked_entities where asset = 'profiles'").fetchall()}
    finally:
        con.close()
    lina = simulator.universe.account("chef_lina")
    assert accounts["chef_lina"] == ("not_found", True, lina["follower_count"], today)
    assert accounts["pixel_pets"][:2] == ("ok", False)
    assert entities["chef_lina"] == ("not_found", True, 2, 1, today)
    assert entities["pixel_pets"] == ("ok", False, 2, 0, today)


def test_entities_finished_before_a_fatal_error_are_committed(make_pipeline, simulator, monkeypatch) -> None:  # noqa: F811
    """Rows are batched per table, so a run stopped by a fatal error (credits exhausted) must still
    commit the entities that finished before it: paid-for observations are never thrown away."""
    monkeypatch.setenv("SCAVIO_MAX_CONCURRENCY", "1")
    p = make_pipeline(simulator)
    p.track(accounts=["chef_lina", "urban_runner", "pixel_pets"], hashtags=[], keywords=[])
    simulator.reset(credits=2)  # two profiles, then 402 insufficient credits
    result = p.run(("profiles",), today_utc())
    assert not result.success
    got = sorted(r["unique_id"] for r in user_table(p, "profiles").to_pylist())
    assert got == ["chef_lina", "urban_runner"]
    assert sorted(k for _d, k in p.lake.partitions("profiles")) == ["chef_lina", "urban_runner"]
    assert simulator.stats()["credits_remaining"] == 0


def test_a_renamed_account_keeps_its_history(make_pipeline, simulator, tmp_path) -> None:  # noqa: F811
    """Issue 10 §3 "Identity across renames": the tracked handle 'chef_old' was captured earlier (its
    sec_uid is chef_lina's); today the API answers 404 for 'chef_old'. One request by sec_user_id finds
    the account under its new handle: captured under the tracked name, status 'renamed', history kept
    by sec_uid, and the rename shows in fct_account_renames."""
    from datetime import UTC, datetime, timedelta

    import duckdb

    from tiktok_assets.dbt.runner import run_dbt_build
    from tiktok_assets.lake.flatten import flatten

    today = today_utc()
    p = make_pipeline(simulator)
    p.track(accounts=["chef_old"], hashtags=[], keywords=[])
    lina = simulator.universe.account("chef_lina")
    earlier = {**lina, "unique_id": "chef_old", "follower_count": lina["follower_count"] - 10}
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    p.lake.write_partition("profiles", before.date(), "chef_old", flatten(
        "profiles", [earlier], partition_date=before.date(), tracked_entity="chef_old", captured_at=before))
    simulator.reset_stats()
    result = p.run(("profiles",), today)
    assert result.success and check(result, "profiles").passed
    assert simulator.stats()["requests"]["/api/v1/tiktok/profile"] == 2  # the 404, then one by sec_user_id
    rows = sorted(p.lake.read("profiles").to_pylist(), key=lambda r: r["captured_at"])
    assert [(r["tracked_entity"], r["unique_id"], r["sec_uid"]) for r in rows] == [
        ("chef_old", "chef_old", lina["sec_uid"]), ("chef_old", "chef_lina", lina["sec_uid"])]
    [status] = user_table(p, "entity_status").to_pylist()
    assert status["status"] == "renamed" and "'chef_old' is now 'chef_lina'" in status["detail"]

    assert run_dbt_build(p.lake.url, str(tmp_path / "w.duckdb")).success
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        renames = con.execute("select sec_uid, old_username, new_username, last_seen_as_old, first_seen_as_new "
                              "from marts.fct_account_renames").fetchall()
        daily = con.execute("select username, followers_delta from marts.fct_account_daily order by capture_date").fetchall()
        dim = con.execute("select username, capture_days, account_status from marts.dim_accounts").fetchall()
    finally:
        con.close()
    assert renames == [(lina["sec_uid"], "chef_old", "chef_lina", before.date(), today)]
    assert daily == [("chef_old", None), ("chef_lina", 10)]  # one account, its history continuous
    assert dim == [("chef_lina", 2, "renamed")]


def test_a_deleted_account_is_not_taken_for_a_rename(make_pipeline, simulator) -> None:  # noqa: F811
    """The fallback by sec_uid answers 404 too: the account is gone, not renamed."""
    from datetime import UTC, datetime, timedelta

    from tiktok_assets.lake.flatten import flatten

    p = make_pipeline(simulator)
    p.track(accounts=["vanished"], hashtags=[], keywords=[])
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    p.lake.write_partition("profiles", before.date(), "vanished", flatten(
        "profiles", [{"unique_id": "vanished", "sec_uid": "MS4wLjABAAAA_no_such_account"}],
        partition_date=before.date(), tracked_entity="vanished", captured_at=before))
    result = p.run(("profiles",), today_utc())
    assert metadata(result, "profiles")["failed_entities"] == ["vanished"]
    assert [r["status"] for r in user_table(p, "entity_status").to_pylist()] == ["not_found"]
