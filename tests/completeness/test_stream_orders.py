"""Every other stream against the orders the reference allows: the lake equals the universe's truth.

Per stream, the fact its stopping rule relies on (README, "Assets and their semantics"):
posts: sort_type "0" is newest-first (documented) -> early stop; never a seeded cursor.
search_videos: the ``publish_time`` filter is applied by the server (documented) -> full pass.
comments, replies, followers, followings: no documented order -> full pass, ``has_more`` only.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from tests.assets.conftest import DEMO, check, metadata
from tests.assets.truth import ids, in_window, lake_ids, one_pass_pages, posts_in
from tests.completeness.conftest import admin_stats, notes_of, requests_to, sent
from tiktok_assets.assets.windows import Window, publish_time_bucket, today_utc
from tiktok_assets.simulator.config import ADVERSARIAL
from tiktok_assets.simulator.universe import API_PREFIX

ACCOUNTS = DEMO["accounts"]


def no_duplicates(values: list[str]) -> bool:
    return not [v for v, n in Counter(values).items() if n > 1]


def window_ids(lake, table: str, w: Window, key: str, col: str = "aweme_id") -> list[str]:
    return [i for d in w.days() for i in lake_ids(lake, table, d, key, col)]


# --- user/posts: a seeded cursor the server ignores -----------------------------------------------
def test_seeded_posts_cursor_switch(simulator_factory, api_key) -> None:
    """The switch works: a cursor the server never issued restarts the stream (ignore) or lists
    strictly older posts (honour)."""
    for mode in ("honour", "ignore"):
        sim = simulator_factory(posts_seeded_cursor=mode, quirks=frozenset())  # no repeats of newer items
        sec = sim.universe.sec_uid_of("chef_lina")
        made_up = (sim.universe.now - 3 * 86_400) * 1000 + 1  # between posts: not a cursor the server sent
        body = {"sec_user_id": sec, "count": 30, "cursor": str(made_up)}
        got = httpx.post(sim.url + API_PREFIX + "user/posts", json=body, headers={"Authorization": f"Bearer {api_key}"}).json()
        first = httpx.post(sim.url + API_PREFIX + "user/posts", json={**body, "cursor": "0"},
                           headers={"Authorization": f"Bearer {api_key}"}).json()
        served = [v["aweme_id"] for v in got["data"]["aweme_list"]]
        if mode == "ignore":
            assert served == [v["aweme_id"] for v in first["data"]["aweme_list"]]
        else:
            assert served and all(v["create_time"] * 1000 < made_up for v in got["data"]["aweme_list"])


def test_posts_complete_and_one_pass_when_seeded_cursors_are_ignored(make_pipeline, simulator_factory) -> None:
    sim = simulator_factory(**ADVERSARIAL, quirks=frozenset())  # clean streams: the page count is exact
    p = make_pipeline(sim)
    p.track(accounts=ACCOUNTS)
    today = today_utc()
    w = Window(today - timedelta(days=20), today)
    result = p.run(["posts"], w.start, w.end)
    assert result.success and check(result, "posts").passed
    for a in ACCOUNTS:
        got = window_ids(p.lake, "posts", w, a)
        assert sorted(got) == sorted(posts_in(sim.universe, a, w)) and no_duplicates(got), a
    assert requests_to(sim, "user/posts") == sum(one_pass_pages(sim.universe, a, w) for a in ACCOUNTS)
    # every cursor sent is "0" or one the server issued (the client never seeds one)
    issued = {str(v["create_time"] * 1000) for a in ACCOUNTS for v in sim.universe.posts_of(a)}
    assert all(str(b.get("cursor", "0")) in issued | {"0"} for b in sent(sim, "user/posts"))


def test_posts_complete_with_every_quirk(adversarial_pipeline) -> None:
    p, sim, today = adversarial_pipeline, adversarial_pipeline.sim, today_utc()
    w = Window(today - timedelta(days=30), today)
    result = p.run(["posts"], w.start, w.end)
    assert result.success
    for a in ACCOUNTS:
        got = window_ids(p.lake, "posts", w, a)
        assert sorted(got) == sorted(posts_in(sim.universe, a, w)) and no_duplicates(got), a


# --- search/videos: relevance (or any) order, a server-side publish_time filter ---------------------
@pytest.mark.parametrize("order", ["relevance", "newest"])
def test_search_videos_complete_in_any_order(make_pipeline, simulator_factory, order) -> None:
    sim = simulator_factory(**{**ADVERSARIAL, "search_video_order": order})
    p = make_pipeline(sim)
    today = today_utc()
    w = Window(today - timedelta(days=5), today)
    result = p.run(["search_videos"], w.start, w.end)
    assert result.success and check(result, "search_videos").passed
    bucket = publish_time_bucket(w)
    for k in DEMO["keywords"]:
        truth = in_window(sim.universe.search_videos(k, bucket, "0"), w)
        got = window_ids(p.lake, "search_videos", w, k)
        assert truth and sorted(got) == sorted(ids(truth)) and no_duplicates(got), k
        # the pass read the stream to its end: the last request's answer says no more
        mine = [b for b in sent(sim, "search/videos") if b["keyword"] == k]
        assert mine, k
        last = sim.endpoints.search_videos(dict(mine[-1]))
        assert last["has_more"] == 0 or not last["aweme_list"], k


# --- comments and replies: by likes (or any) order, full passes --------------------------------------
@pytest.mark.parametrize("comment_order,reply_order", [("likes", "likes"), ("newest", "oldest")])
def test_comments_and_replies_complete_in_any_order(make_pipeline, simulator_factory, comment_order, reply_order) -> None:
    sim = simulator_factory(**{**ADVERSARIAL, "comment_order": comment_order, "reply_order": reply_order})
    p = make_pipeline(sim)
    p.track(accounts=ACCOUNTS)
    u, today = sim.universe, today_utc()
    w = Window(today - timedelta(days=6), today)
    result = p.run(["posts", "comments", "comment_replies"], w.start, w.end)
    assert result.success and check(result, "comments").passed and check(result, "comment_replies").passed
    for a in ACCOUNTS:
        # the selection reads the posts lake table: this run captured the window's posts
        recent = sorted(in_window(u.posts_of(a), w),
                        key=lambda v: (v["create_time"], v["aweme_id"]), reverse=True)[:10]
        truth = set()
        for v in recent:
            truth |= ids(in_window(u.comments_of(v["aweme_id"]), w), "cid")
        got = window_ids(p.lake, "comments", w, a, "cid")
        assert truth and sorted(got) == sorted(truth) and no_duplicates(got), a
        # replies: the top 5 comments by reply count per selected video, among the stored comments
        stored = [c for v in recent for c in in_window(u.comments_of(v["aweme_id"]), w) if c["reply_comment_total"]]
        top: dict[str, list[dict]] = {}
        for c in stored:
            top.setdefault(c["aweme_id"], []).append(c)
        reply_truth = set()
        for vid, cs in top.items():
            for c in sorted(cs, key=lambda c: (c["reply_comment_total"], c["cid"]), reverse=True)[:5]:
                reply_truth |= ids(in_window(u.replies_of(vid, c["cid"]), w), "cid")
        got = window_ids(p.lake, "comment_replies", w, a, "cid")
        assert sorted(got) == sorted(reply_truth) and no_duplicates(got), a
    assert any(window_ids(p.lake, "comment_replies", w, a, "cid") for a in ACCOUNTS)
    # one full pass per selected video, counted at the simulator: each video's stream starts once and
    # its last answer says no more (or is the empty page of a stuck cursor)
    bodies = sent(sim, "video/comments")
    starts = Counter(b["video_id"] for b in bodies if str(b.get("cursor", "0")) == "0")
    assert set(starts.values()) == {1} and len(starts) == sum(min(10, len(in_window(u.posts_of(a), w))) for a in ACCOUNTS)
    for vid in starts:
        last = sim.endpoints.comments(dict([b for b in bodies if b["video_id"] == vid][-1]))
        assert last["has_more"] == 0 or not last["comments"], vid
    assert admin_stats(sim)["charged"] == sum(admin_stats(sim)["requests"].values())  # every answer was a 200


# --- followers / followings: no order; a stuck cursor ends a stream quietly ------------------------
def test_graph_complete_and_a_stuck_cursor_is_not_a_warning(adversarial_pipeline, caplog) -> None:
    p, sim, today = adversarial_pipeline, adversarial_pipeline.sim, today_utc()
    caplog.set_level(logging.INFO, logger="tiktok_assets")
    result = p.run(["profiles", "followers", "followings"], today)
    assert result.success
    for a in ACCOUNTS:
        for table, truth in (("followers", sim.universe.followers_of(a)), ("followings", sim.universe.followings_of(a))):
            got = lake_ids(p.lake, table, today, a, "uid")
            assert sorted(got) == sorted(ids(truth, "uid")) and no_duplicates(got), (table, a)
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("tiktok_assets.scavio") and r.levelno >= logging.WARNING]
    assert not warnings  # the old client printed "... stopped after page 11: has_more is set but ..." here
    ended = [r for r in caplog.records if "ended after page" in r.getMessage()]
    assert ended and all(r.levelno == logging.INFO for r in ended), "no stream ended at a stuck cursor: nothing exercised"
    # ... and the reason is in the entity's notes, where a user reads about the run
    notes = [n for t in ("followers", "followings") for n in notes_of(metadata(result, t)).values()]
    assert sum("ended after page" in n for n in notes) == len(ended)
