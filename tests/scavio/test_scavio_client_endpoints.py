"""Every endpoint against the simulator (all quirks on): values and ids equal the universe's truth."""

from __future__ import annotations

import logging

import pytest

from tiktok_assets.simulator import CAP_ACCOUNT, DEMO_ACCOUNTS, DEMO_HASHTAGS, DEMO_KEYWORDS

from tests.scavio.scavio_helpers import collect

P = "/api/v1/tiktok/"


def _assert_exact(ids, truth_ids):
    assert len(ids) == len(set(ids)), "an item was yielded twice"
    assert ids and set(ids) == set(truth_ids), "items missing or extra"
    assert len(ids) == len(truth_ids)


def test_single_object_endpoints(simulator, make_client):
    client, u = make_client(simulator), simulator.universe
    for name in DEMO_ACCOUNTS:
        by_name = client.profile(username=name)
        assert by_name == u.account(name)
        assert client.profile(sec_user_id=by_name["sec_uid"])["unique_id"] == name
    video = u.posts_of("chef_lina")[5]
    assert client.video(video["aweme_id"]) == video
    for tag in DEMO_HASHTAGS:
        info = client.hashtag(hashtag_name=tag)
        assert info == u.hashtag(tag) and info["challenge"]["id"] == u.hashtag_id_of(tag)
        assert client.hashtag(hashtag_id=info["challenge"]["id"])["challenge"]["title"] == tag
    stats = simulator.stats()
    assert stats["requests"] == {P + "profile": 6, P + "video": 1, P + "hashtag": 4}
    assert stats["charged"] == client.credits_spent == 11
    assert client.credits_remaining == stats["credits_remaining"]


@pytest.mark.parametrize("sort_type", ["0", "1"])
def test_user_posts_exhaustive_with_pins_repeats_and_short_pages(simulator, make_client, sort_type, caplog):
    client, u = make_client(simulator), simulator.universe
    caplog.set_level(logging.WARNING, "tiktok_assets.scavio")
    raw_total = kept = 0
    for name in DEMO_ACCOUNTS + (CAP_ACCOUNT,):
        ids, pages = collect(client.user_posts(u.sec_uid_of(name), sort_type=sort_type))
        _assert_exact(ids, [p["aweme_id"] for p in u.posts_of(name)])
        assert [p.page_number for p in pages] == list(range(1, len(pages) + 1))
        assert all(p.endpoint == P + "user/posts" and p.credits_remaining is not None for p in pages)
        raw_total += sum(p.raw_count for p in pages)
        kept += len(ids)
        if sort_type == "0" and u.pinned_of(name):  # pinned posts come first and are kept
            assert ids[: len(u.pinned_of(name))] == u.pinned_of(name)
    assert raw_total > kept, "the repeats quirk should have served some posts twice (dropped by dedup)"
    assert simulator.stats()["requests"][P + "user/posts"] == len(client.ledger)


def test_offset_endpoints_exhaustive(simulator, make_client, caplog):
    client, u = make_client(simulator), simulator.universe
    caplog.set_level(logging.INFO, "tiktok_assets.scavio")
    raw, kept = 0, 0
    videos = u.posts_of("chef_lina")[:4] + u.posts_of("urban_runner")[:3]
    for video in videos:
        vid = video["aweme_id"]
        ids, pages = collect(client.video_comments(vid))
        truth = [c["cid"] for c in u.comments_of(vid)]
        if truth:
            _assert_exact(ids, truth)
        else:
            assert ids == [] and len(pages) == 1
        raw += sum(p.raw_count for p in pages)
        kept += len(ids)
        with_replies = [c for c in u.comments_of(vid) if u.replies_of(vid, c["cid"])][:2]
        for comment in with_replies:
            rids, _ = collect(client.comment_replies(vid, comment["cid"]))
            _assert_exact(rids, [r["cid"] for r in u.replies_of(vid, comment["cid"])])
    for kw in DEMO_KEYWORDS:
        for publish_time, sort_type in (("0", "0"), ("7", "1")):
            ids, pages = collect(client.search_videos(kw, publish_time=publish_time, sort_type=sort_type))
            _assert_exact(ids, [v["aweme_id"] for v in u.search_videos(kw, publish_time, sort_type)])
            raw, kept = raw + sum(p.raw_count for p in pages), kept + len(ids)
        ids, pages = collect(client.search_users(kw))
        _assert_exact(ids, [x["user_info"]["uid"] for x in u.search_users(kw)])
        assert all("user_info" in item for p in pages for item in p.items)
        raw, kept = raw + sum(p.raw_count for p in pages), kept + len(ids)
    for tag in DEMO_HASHTAGS:
        tid = u.hashtag_id_of(tag)
        ids, pages = collect(client.hashtag_videos(tid))
        _assert_exact(ids, [v["aweme_id"] for v in u.hashtag_videos_of(tid)])
        raw += sum(p.raw_count for p in pages)
        kept += len(ids)
    assert raw > kept, "the repeats quirk should have served some items twice (dropped by dedup)"
    stuck = [r for r in caplog.records if "does not advance" in r.getMessage()]
    # a stuck cursor is an end the platform notes allow: INFO, not a warning that reads like an error
    assert stuck and all(r.levelno == logging.INFO for r in stuck), "stuck-cursor quirk never hit"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_token_time_endpoints_exhaustive(simulator, make_client):
    client, u = make_client(simulator), simulator.universe
    raw = kept = 0
    for name in DEMO_ACCOUNTS:
        sec = u.sec_uid_of(name)
        ids, pages = collect(client.user_followers(sec))
        _assert_exact(ids, [x["uid"] for x in u.followers_of(name)])
        assert all(p.endpoint == P + "user/followers" for p in pages)
        raw, kept = raw + sum(p.raw_count for p in pages), kept + len(ids)
        ids, _ = collect(client.user_followings(sec))
        _assert_exact(ids, [x["uid"] for x in u.followings_of(name)])
    assert raw > kept, "the repeats quirk should have served some followers twice"
    # every follow-up request carried both page_token and min_time from the previous page
    follow_ups = [params for _, path, _, params in simulator.request_log
                  if path.endswith(("followers", "followings")) and "page_token" in params]
    assert follow_ups and all("min_time" in p for p in follow_ups)


def test_short_pages_do_not_stop_and_page_size_defaults_to_max(simulator, make_client):
    client, u = make_client(simulator), simulator.universe
    for name in DEMO_ACCOUNTS:
        list(client.user_followers(u.sec_uid_of(name)))
    counts = {params["count"] for _, path, _, params in simulator.request_log}
    assert counts == {20}
    pages = [p for name in DEMO_ACCOUNTS for p in client.user_posts(u.sec_uid_of(name))]
    short_not_last = [p for p in pages if p.raw_count < 30 and p.has_more]
    assert short_not_last, "short_pages quirk produced no short page"


def test_max_pages_and_max_items(simulator, make_client):
    client, u = make_client(simulator), simulator.universe
    sec = u.sec_uid_of("chef_lina")
    pages = list(client.user_posts(sec, count=10, max_pages=2))
    assert len(pages) == 2 and pages[-1].has_more
    items = [i for p in client.user_followers(sec, max_items=25) for i in p.items]
    assert len(items) == 25
    assert simulator.stats()["requests"] == {P + "user/posts": 2, P + "user/followers": 2}


def test_breaking_out_stops_spending(simulator, make_client):
    client, u = make_client(simulator), simulator.universe
    stream = client.user_followers(u.sec_uid_of("chef_lina"))
    assert simulator.stats()["requests"] == {}  # lazy: nothing sent before iteration
    for page in stream:
        break
    assert simulator.stats()["charged"] == 1


def test_stuck_cursor_reason_rides_on_the_last_page(simulator, make_client):
    """The reason a stream ended at a cursor that did not advance reaches the caller (for the notes)."""
    from tiktok_assets.simulator.paging import stream_quirks

    client, u = make_client(simulator), simulator.universe
    vid = next(v["aweme_id"] for a in DEMO_ACCOUNTS for v in u.posts_of(a)
               if u.comments_of(v["aweme_id"]) and stream_quirks(u.seed, u.quirks, "comments", v["aweme_id"]).stuck)
    ids, pages = collect(client.video_comments(vid))
    _assert_exact(ids, [c["cid"] for c in u.comments_of(vid)])
    assert "does not advance" in pages[-1].stop_reason and pages[-1].has_more
    assert all(p.stop_reason is None for p in pages[:-1])
