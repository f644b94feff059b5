"""Rerun cost (change detection), stream-level concurrency correctness and per-entity isolation.

All against the simulator over real HTTP; request counts are the simulator's own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from tests.assets.conftest import DEMO, check, metadata
from tiktok_assets.assets.state import StreamState
from tiktok_assets.assets.windows import today_utc
from tiktok_assets.lake.flatten import flatten

RUN = ("profiles", "hashtags", "followers", "followings", "search_users",
       "posts", "hashtag_videos", "search_videos", "comments", "comment_replies")
P = "/api/v1/tiktok/"
SORT = {"profiles": "uid", "hashtags": "hashtag_id", "followers": "uid", "followings": "uid", "comments": "cid",
        "comment_replies": "cid", "posts": "aweme_id", "hashtag_videos": "aweme_id"}


def content(lake, table):
    """The table's rows without the capture time (a refetch of identical data differs only there)."""
    t = lake.read(table)
    return sorted((r for r in t.drop_columns(["captured_at"]).to_pylist()), key=lambda r: (r["tracked_entity"], str(r[SORT[table]])))


def requests(sim, endpoint):
    return sim.stats()["requests"].get(P + endpoint, 0)


def sent(sim, endpoint, field):
    return [body.get(field) for _t, path, _s, body in sim.request_log if path == P + endpoint]


def test_rerun_of_unchanged_day_costs_about_one_request_per_stream(pipeline) -> None:
    today, sim, lake = today_utc(), pipeline.sim, pipeline.lake
    assert pipeline.run(RUN, today).success
    first = {t: content(lake, t) for t in SORT}
    assert requests(sim, "video/comments") > 0 and requests(sim, "video/comments/replies") > 0
    assert requests(sim, "user/followers") >= len(DEMO["accounts"])
    sim.reset_stats()

    again = pipeline.run(RUN, today)
    assert again.success
    n_acc = len(DEMO["accounts"])
    assert requests(sim, "profile") == n_acc and requests(sim, "user/posts") == n_acc
    for endpoint in ("user/followers", "user/followings", "video/comments/replies"):
        assert requests(sim, endpoint) == 0, endpoint
    # comments are refetched only for selected videos whose comment_count cannot be trusted (0/missing);
    # the posts re-observation window (7 days) lets older, comment-less videos into the selection
    recorded = {v: n for a in DEMO["accounts"] for v, n in _streams(lake, today, a).items()}
    untrusted_videos = sorted(v for v, n in recorded.items() if not n)
    assert sorted(sent(sim, "video/comments", "video_id")) == untrusted_videos
    # hashtag videos are refetched only for hashtags whose video_count cannot be trusted (0/missing)
    counts = {r["tracked_entity"]: r["video_count"] for r in lake.read("hashtags", dates=[today]).to_pylist()}
    untrusted = {r["hashtag_id"] for r in lake.read("hashtags", dates=[today]).to_pylist() if not counts[r["tracked_entity"]]}
    assert set(sent(sim, "hashtag/videos", "hashtag_id")) <= untrusted
    assert {t: content(lake, t) for t in SORT} == first
    md = metadata(again, "comments")
    assert md["streams_skipped_unchanged"] == len(recorded) - len(untrusted_videos) > 0
    assert metadata(again, "followers")["streams_skipped_unchanged"] == n_acc
    assert metadata(again, "comment_replies")["streams_skipped_unchanged"] > 0

    # refresh: true forces the full fetch again, with the same result
    sim.reset_stats()
    cfg = {"ops": {"tiktok_snapshots": {"config": {"followers": {"refresh": True}}},
                   "tiktok_events": {"config": {"comments": {"refresh": True}}}}}
    forced = pipeline.run(("followers", "comments"), today, run_config=cfg)
    assert forced.success and requests(sim, "user/followers") >= n_acc and requests(sim, "video/comments") > 0
    assert content(lake, "comments") == first["comments"] and content(lake, "followers") == first["followers"]


def _streams(lake, day, account):
    """video id -> comment_count recorded with the account's comments capture of ``day``."""
    return (StreamState(lake, "comments").load(day, account) or {}).get("streams", {})


def _selected(lake, day):
    """account -> video ids with comments stored for ``day`` (from the state fingerprints)."""
    st = StreamState(lake, "comments")
    return {a: set((st.load(day, a) or {}).get("streams", {})) for a in DEMO["accounts"]}


def test_changed_streams_are_refetched(pipeline) -> None:
    today, sim, lake = today_utc(), pipeline.sim, pipeline.lake
    assert pipeline.run(("profiles", "followers", "posts", "comments"), today).success
    before = {r["tracked_entity"]: r["follower_count"] for r in lake.read("profiles").to_pylist()}

    # followers grow two days later (simulator time): new follower_count -> followers refetched
    grown = sim.travel(sim.universe.anchor + 2 * 86_400)
    sim.reset_stats()
    # one account's comment fingerprint is lost: only that account's videos are fetched again
    victim = DEMO["accounts"][0]
    lake.captures.record_commit("comments", [{"partition_date": today, "tracked_entity": victim, "captured_at": None,
                                              "rows": None, "state": None}])
    assert StreamState(lake, "comments").load(today, victim) is None
    assert pipeline.run(("profiles", "followers", "comments"), today).success
    after = {r["tracked_entity"]: r["follower_count"] for r in lake.read("profiles", dates=[today]).to_pylist()}
    assert all(after[a] > before[a] for a in DEMO["accounts"])
    assert requests(sim, "user/followers") >= len(DEMO["accounts"])
    for a in DEMO["accounts"]:
        stored = set(lake.read("followers", dates=[today], keys=[a])["uid"].to_pylist())
        assert stored == {str(u["uid"]) for u in grown.followers_of(a)}
    fetched = set(sent(sim, "video/comments", "video_id"))
    assert fetched and fetched == _selected(lake, today)[victim]


def test_stream_failure_fails_only_its_account_and_keeps_its_partitions(pipeline) -> None:
    today, sim, lake = today_utc(), pipeline.sim, pipeline.lake
    assert pipeline.run(("posts", "comments"), today).success
    victim, others = DEMO["accounts"][0], DEMO["accounts"][1:]
    def rows_of(a):
        return sorted(lake.read("comments", dates=[today], keys=[a]).to_pylist(), key=lambda r: r["cid"])

    kept = rows_of(victim)
    before = {a: rows_of(a) for a in others}
    assert kept and all(before.values())
    # a posts row whose id the client refuses (ValueError before any request): an entity error
    # raised inside one of the victim's concurrent comment streams
    bad = {"aweme_id": "x", "create_time": int(datetime.now(UTC).timestamp()), "statistics": {"comment_count": 3}}
    day = today - timedelta(days=1)
    row = pa.Table.from_batches([flatten("posts", [bad], partition_date=day, tracked_entity=victim, captured_at=datetime.now(UTC))])
    row = row.set_column(row.schema.get_field_index("aweme_id"), row.schema.field("aweme_id"), pa.array([" "]))
    lake.write_partition("posts", day, victim, row)
    sim.reset_stats()
    result = pipeline.run(("comments",), today, run_config={"ops": {"tiktok_events": {"config": {"comments": {"refresh": True}}}}})
    md = metadata(result, "comments")
    assert md["failed_entities"] == [victim]
    assert not check(result, "comments").passed
    assert rows_of(victim) == kept  # aborted: the committed rows untouched (same capture time too)
    for a in others:  # rewritten: same comments, a newer capture of the same day replaced the earlier one
        after = rows_of(a)
        assert [r["cid"] for r in after] == [r["cid"] for r in before[a]]
        assert min(r["captured_at"] for r in after) >= max(r["captured_at"] for r in before[a])
    # every request was attributed to the account that owns the video (ledger tags per stream)
    owner = {v["aweme_id"]: a for a in DEMO["accounts"] for v in sim.universe.posts_of(a)}
    ledger = [r for r in lake.read("credit_ledger").to_pylist() if r["asset"] == "comments" and r["run_id"] == result.run_id]
    assert len(ledger) == requests(sim, "video/comments") > 0
    by_entity: dict[str, int] = {}
    for r in ledger:
        by_entity[r["entity"]] = by_entity.get(r["entity"], 0) + 1
    expected: dict[str, int] = {}
    for vid in sent(sim, "video/comments", "video_id"):
        expected[owner[vid]] = expected.get(owner[vid], 0) + 1
    assert by_entity == expected


def test_longest_streams_are_queued_first(pipeline, monkeypatch) -> None:
    """Pages of one stream are sequential, so a long stream queued last would run alone at the end of
    the asset. With one request slot the streams reach the simulator in queue order: the account with
    the most-commented selected video first, and each account's videos by comment count, most first."""
    today, sim, lake = today_utc(), pipeline.sim, pipeline.lake
    assert pipeline.run(("profiles", "posts"), today - timedelta(days=29), today).success
    monkeypatch.setenv("SCAVIO_MAX_CONCURRENCY", "1")
    sim.reset_stats()
    assert pipeline.run(("comments",), today - timedelta(days=29), today).success
    state = StreamState(lake, "comments")
    counts = {a: (state.load(today - timedelta(days=29), a) or {}).get("streams", {}) for a in DEMO["accounts"]}
    owner = {vid: a for a, streams in counts.items() for vid in streams}
    order = list(dict.fromkeys(sent(sim, "video/comments", "video_id")))  # each stream's first page, in arrival order
    assert sorted(order) == sorted(owner), "every selected video was read"
    accounts = list(dict.fromkeys(owner[v] for v in order))
    assert [owner[v] for v in order] == [a for a in accounts for v in order if owner[v] == a], "streams stay grouped by account"
    for a in accounts:
        assert [counts[a][v] or 0 for v in order if owner[v] == a] == sorted((c or 0 for c in counts[a].values()), reverse=True)
    heaviest = [max((c or 0 for c in counts[a].values()), default=0) for a in accounts]
    assert heaviest == sorted(heaviest, reverse=True) and len(set(heaviest)) > 1, heaviest
