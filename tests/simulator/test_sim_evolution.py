"""Time evolution: one universe observed later (Universe.at, SimulatorServer.travel, POST /_admin/travel)."""

from __future__ import annotations

import json

import httpx
import pytest
from sim_http import P, drain

from tiktok_assets.simulator import DEMO_ACCOUNTS, SimulatorConfig, SimulatorServer, Universe
from tiktok_assets.simulator.evolution import COMMENT_HORIZON, DAY, daily_follower_gain, future_posts

A = 1_790_000_000  # a fixed anchor (2026-09-21 13:33:20 UTC): every figure below is reproducible


@pytest.fixture(scope="module")
def u() -> Universe:
    return Universe(42, A, n_generated_accounts=5)


def dump(x: object) -> str:
    return json.dumps(x, sort_keys=True)


def test_at_the_anchor_nothing_changes(u: Universe) -> None:
    fresh, view = Universe(42, A, n_generated_accounts=5), u.at(A)
    assert (view.now, view.anchor) == (A, A)
    for a in (*DEMO_ACCOUNTS, "mega_star", "quiet_closet"):
        assert dump(view.account(a)) == dump(fresh.account(a))
        assert dump(view.posts_of(a)) == dump(fresh.posts_of(a))
        assert dump(view.graph(a, "followers")) == dump(fresh.graph(a, "followers"))
    vid = max(fresh.posts_of("chef_lina"), key=lambda v: v["statistics"]["comment_count"])["aweme_id"]
    assert dump(view.comments_of(vid)) == dump(fresh.comments_of(vid))
    assert dump(view.hashtag("cooking")) == dump(fresh.hashtag("cooking"))
    assert dump(view.search_videos("cooking recipe", "7")) == dump(fresh.search_videos("cooking recipe", "7"))
    with pytest.raises(ValueError, match="before the anchor"):
        u.at(A - 1)


def test_followers_grow_by_the_daily_gain_at_the_head(u: Universe) -> None:
    later = u.at(A + DAY)
    for a in DEMO_ACCOUNTS:
        gain = daily_follower_gain(42, u._specs[a])
        assert 5 <= gain <= 25
        assert later.account(a)["follower_count"] == u.account(a)["follower_count"] + gain
        assert u.at(A + DAY // 2).account(a)["follower_count"] == u.account(a)["follower_count"] + gain // 2
        before, after = u.graph(a, "followers"), later.graph(a, "followers")
        assert after[gain:] == before and len(after) == later.account(a)["follower_count"]
        times = [t for t, _ in after[:gain]]
        assert all(A < t <= A + DAY for t in times) and times == sorted(times, reverse=True) and times[0] == A + DAY
        assert len({x["uid"] for _, x in after}) == len(after)  # nobody follows twice
        assert later.followings_of(a) == u.followings_of(a)
    assert u.at(A + 2 * DAY).account("quiet_closet")["follower_count"] >= u.account("quiet_closet")["follower_count"]
    assert u.at(A + 2 * DAY).followers_of("quiet_closet") == []  # private stays private


def test_future_posts_appear_once_now_passes_them(u: Universe) -> None:
    later, much_later = u.at(A + DAY), u.at(A + 3 * DAY)
    for a in DEMO_ACCOUNTS:
        planned = future_posts(u, a)
        assert planned and all(v["create_time"] > A for v in planned)
        assert not {v["aweme_id"] for v in planned} & {v["aweme_id"] for v in u.posts_of(a)}  # hidden at the anchor
        due = [v["aweme_id"] for v in planned if v["create_time"] <= A + DAY]
        day2 = [v["aweme_id"] for v in later.posts_of(a)]
        assert due and day2 == due + [v["aweme_id"] for v in u.posts_of(a)]
        assert later.account(a)["aweme_count"] == u.account(a)["aweme_count"] + len(due)
        # one scheduled upload every UTC day at 00:01-00:10, from the first midnight after the anchor
        midnight = (A // DAY + 1) * DAY
        uploads = [v["create_time"] for v in planned if (v["create_time"] - midnight) % DAY <= 600]
        assert len(uploads) >= 7 and all(60 <= (t - midnight) % DAY <= 600 for t in uploads)
        assert [v["aweme_id"] for v in much_later.posts_of(a)][-len(day2):] == day2  # ids stable over time
        assert u.video(due[0]) is None and later.video(due[0])["aweme_id"] == due[0]
    assert future_posts(u, "creator_0001") == [] and later.posts_of("creator_0001")[0] is not None


def test_video_statistics_grow_with_age(u: Universe) -> None:
    later, much_later = u.at(A + DAY), u.at(A + 3 * DAY)
    for v in u.posts_of("chef_lina")[:40]:
        s0, s1, s3 = (x.video(v["aweme_id"])["statistics"] for x in (u, later, much_later))
        assert s1["comment_count"] == s0["comment_count"]  # old videos: the comment list stays as anchored
        for k in ("play_count", "digg_count", "share_count", "collect_count"):
            assert s0[k] <= s1[k] <= s3[k]
        if s0["play_count"] == 0:
            assert s3["play_count"] == 0
        elif s0["play_count"] > 1000 and A - v["create_time"] < 30 * DAY:
            assert s0["play_count"] < s1["play_count"] < s3["play_count"]
    young = u.posts_of("chef_lina")[0]
    age_days = (A - young["create_time"]) / DAY
    plays = young["statistics"]["play_count"]
    assert later.video(young["aweme_id"])["statistics"]["play_count"] == plays + int(plays * 0.5 / (1 + age_days))


def test_comments_and_replies_of_a_future_post_arrive_over_time(u: Universe) -> None:
    planned = max((v for a in DEMO_ACCOUNTS for v in future_posts(u, a) if v["create_time"] < A + DAY),
                  key=lambda v: v["statistics"]["comment_count"])
    vid, t0 = planned["aweme_id"], planned["create_time"]
    seen: set[str] = set()
    for now in (t0 + 3600, A + DAY, t0 + COMMENT_HORIZON, t0 + 5 * DAY):
        view = u.at(max(now, A + 1))
        video, comments = view.video(vid), view.comments_of(vid)
        assert video["statistics"]["comment_count"] == len(comments) <= planned["statistics"]["comment_count"]
        assert all(c["create_time"] <= view.now for c in comments)
        assert seen <= {c["cid"] for c in comments}  # nothing disappears
        seen = {c["cid"] for c in comments}
        for c in comments:
            replies = view.replies_of(vid, c["cid"])
            assert c["reply_comment_total"] == len(replies)
            assert all(c["create_time"] <= r["create_time"] <= view.now and r["reply_id"] == c["cid"] for r in replies)
        if now >= t0 + COMMENT_HORIZON:
            assert len(comments) == planned["statistics"]["comment_count"] > 0
            assert video["statistics"]["play_count"] == planned["statistics"]["play_count"]


def test_server_travel_and_admin_travel(api_key: str) -> None:
    sim = SimulatorServer(SimulatorConfig(seed=42, api_key=api_key, now=A, n_generated_accounts=5)).start()
    try:
        c = httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)
        admin = httpx.Client(base_url=sim.url, timeout=30)
        day1 = sim.universe
        sec = day1.sec_uid_of("chef_lina")

        def profile() -> dict:
            return c.post(P + "profile", json={"username": "chef_lina"}).json()["data"]["user"]

        first = profile()
        posts1, _ = drain(c, "user/posts", {"sec_user_id": sec, "count": 30})
        day2 = sim.travel(A + DAY)
        assert sim.universe is day2 and day2.now == A + DAY and sim.config.now == A
        assert profile()["follower_count"] == first["follower_count"] + daily_follower_gain(42, day1._specs["chef_lina"])
        posts2, _ = drain(c, "user/posts", {"sec_user_id": sec, "count": 30})
        new = [p["aweme_id"] for p in posts2 if p["create_time"] > A]
        assert new and {p["aweme_id"] for p in posts2} == {p["aweme_id"] for p in posts1} | set(new)
        # served lists carry the new statistics (the item JSON cache was dropped on travel)
        by_id = {p["aweme_id"]: p for p in posts2}
        assert all(by_id[p["aweme_id"]]["statistics"] == day2.video(p["aweme_id"])["statistics"] for p in posts1)
        assert any(by_id[p["aweme_id"]]["statistics"] != p["statistics"] for p in posts1)
        followers, _ = drain(c, "user/followers", {"sec_user_id": sec, "count": 20})
        assert [f["uid"] for f in followers] == [x["uid"] for x in day2.followers_of("chef_lina")]
        r = admin.post("/_admin/travel", json={"now": A})
        assert r.json() == {"ok": True, "now": A, "anchor": A} and profile() == first
        assert admin.post("/_admin/travel", json={"now": A - 5}).status_code == 400
        assert admin.post("/_admin/travel", json={"when": "tomorrow"}).status_code == 400
        assert sim.universe.now == A
        c.close()
        admin.close()
    finally:
        sim.stop()
