"""Every pagination style run to exhaustion: exact truth with quirks off, union == truth with quirks on."""

from __future__ import annotations

from typing import Any

import pytest

from tiktok_assets.simulator import CAP_ACCOUNT, DEMO_ACCOUNTS, SimulatorServer, Universe

from sim_http import P, dedup, drain, item_id


def _streams(u: Universe) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(endpoint, params, truth) for one stream of every paginated endpoint."""
    lina = DEMO_ACCOUNTS[0]
    sec = u.sec_uid_of(lina)
    busy = max(u.posts_of(lina), key=lambda v: v["statistics"]["comment_count"])
    vid = busy["aweme_id"]
    thread = max(u.comments_of(vid), key=lambda c: c["reply_comment_total"])
    tag = u.hashtag_id_of("cooking")
    kw = u.DEMO_KEYWORDS[1]
    return [
        ("user/posts", {"sec_user_id": sec}, u.posts_of(lina)),
        ("video/comments", {"video_id": vid}, list(u.comments_of(vid))),
        ("video/comments/replies", {"video_id": vid, "comment_id": thread["cid"]}, u.replies_of(vid, thread["cid"])),
        ("search/videos", {"keyword": kw, "publish_time": "90"}, u.search_videos(kw, "90")),
        ("search/users", {"keyword": "chef"}, u.search_users("chef")),
        ("hashtag/videos", {"hashtag_id": tag}, u.hashtag_videos_of(tag)),
        ("user/followers", {"sec_user_id": sec}, u.followers_of(lina)),
        ("user/followings", {"sec_user_id": sec}, u.followings_of(lina)),
    ]


def test_streams_are_exact_with_quirks_off(simulator_factory, client_for) -> None:
    sim = simulator_factory(quirks=frozenset())
    c = client_for(sim)
    for endpoint, params, truth in _streams(sim.universe):
        n_max = {"user/followers": 20, "user/followings": 20, "video/comments": 50,
                 "video/comments/replies": 50}.get(endpoint, 30)
        items, pages = drain(c, endpoint, {**params, "count": n_max})
        assert items == truth, endpoint  # same objects, same order, nothing repeated
        assert len(pages) == sim.universe.pages_needed(P + endpoint, **params), endpoint
        assert all(len(p[list(p)[0]]) == n_max for p in pages[:-1]), endpoint
    assert len(truth) > 20 and sim.universe.pinned_of(DEMO_ACCOUNTS[0]) == []


def test_streams_lose_nothing_with_quirks_on(simulator, client) -> None:
    u = simulator.universe
    for endpoint, params, truth in _streams(u):
        for count in (7, 20):
            items, _ = drain(client, endpoint, {**params, "count": count})
            assert [item_id(endpoint, i) for i in sorted(dedup(endpoint, items), key=lambda i: item_id(endpoint, i))] \
                == sorted(item_id(endpoint, t) for t in truth), (endpoint, count)
            served = {item_id(endpoint, i): i for i in items}
            assert all(served[item_id(endpoint, t)] == t for t in truth), endpoint


def test_quirks_actually_happen(simulator, client) -> None:
    """Across many streams, short pages, repeats, stuck cursors and "0" end cursors all occur."""
    u = simulator.universe
    seen = {"short": 0, "repeat": 0, "stuck": 0, "zero": 0}
    for account in u.GENERATED_ACCOUNTS[:20]:
        sec = u.sec_uid_of(account)
        for endpoint in ("user/posts", "user/followers"):
            items, pages = drain(client, endpoint, {"sec_user_id": sec, "count": 10})
            key = "aweme_list" if endpoint == "user/posts" else "followers"
            ids = [item_id(endpoint, i) for i in items]
            seen["repeat"] += len(ids) - len(set(ids))
            seen["short"] += sum(1 for p in pages if len(p[key]) < 10 and (p["has_more"] in (1, True)))
            last = pages[-1]
            seen["stuck"] += int(not last[key] and last["has_more"] in (1, True))
            seen["zero"] += int(last.get("max_cursor") == "0" or last.get("next_page_token") == "")
    assert all(v > 0 for v in seen.values()), seen


def test_pinned_posts_come_first_out_of_time_order(simulator, client) -> None:
    u = simulator.universe
    lina = DEMO_ACCOUNTS[0]
    pinned = u.pinned_of(lina)
    assert len(pinned) == 3
    page = client.post(P + "user/posts", json={"sec_user_id": u.sec_uid_of(lina), "count": 10}).json()["data"]
    ids = [v["aweme_id"] for v in page["aweme_list"]]
    assert ids[:3] == pinned and all(v["is_top"] == 1 for v in page["aweme_list"][:3])
    times = [v["create_time"] for v in page["aweme_list"]]
    assert times[3] > times[0]  # the newest regular post is newer than the pins
    assert int(page["max_cursor"]) == page["aweme_list"][-1]["create_time"] * 1000


def test_posts_honour_a_seeded_millisecond_cursor(simulator_factory, client_for) -> None:
    sim = simulator_factory(quirks=frozenset())
    u, c = sim.universe, client_for(sim)
    posts = u.posts_of(DEMO_ACCOUNTS[1])
    pivot = posts[10]["create_time"] * 1000
    page = c.post(P + "user/posts", json={"sec_user_id": u.sec_uid_of(DEMO_ACCOUNTS[1]), "cursor": str(pivot),
                                          "count": 5}).json()["data"]
    assert [v["aweme_id"] for v in page["aweme_list"]] == [v["aweme_id"] for v in posts[11:16]]
    assert page["max_cursor"] == str(posts[15]["create_time"] * 1000) and page["has_more"] == 1


def test_popular_sort_uses_offset_cursor(simulator, client) -> None:
    u = simulator.universe
    items, pages = drain(client, "user/posts", {"sec_user_id": u.sec_uid_of("urban_runner"), "sort_type": "1", "count": 30})
    truth = u.posts_of("urban_runner")
    assert {v["aweme_id"] for v in items} == {v["aweme_id"] for v in truth}
    diggs = [v["statistics"]["digg_count"] for v in dedup("user/posts", items)]
    assert diggs == sorted(diggs, reverse=True)


def test_caps_bound_served_lists(simulator_factory, client_for) -> None:
    sim = simulator_factory(follower_cap=120, comment_cap=60, hashtag_video_cap=90, quirks=frozenset())
    u, c = sim.universe, client_for(sim)
    items, pages = drain(c, "user/followers", {"sec_user_id": u.sec_uid_of(CAP_ACCOUNT), "count": 20})
    assert len(items) == 120 and len(pages) == 6
    profile = c.post(P + "profile", json={"username": CAP_ACCOUNT}).json()["data"]["user"]
    assert 5000 < profile["follower_count"] < 2**31  # big_counts is off here
    viral = max(u.posts_of(DEMO_ACCOUNTS[0]), key=lambda v: v["statistics"]["comment_count"])
    comments, _ = drain(c, "video/comments", {"video_id": viral["aweme_id"], "count": 50})
    assert len(comments) == 60 < viral["statistics"]["comment_count"]
    fyp = u.hashtag_id_of("fyp")
    assert len(drain(c, "hashtag/videos", {"hashtag_id": fyp, "count": 30})[0]) == 90


def test_followers_token_is_opaque_and_checked(simulator, client) -> None:
    u = simulator.universe
    sec = u.sec_uid_of("pixel_pets")
    page = client.post(P + "user/followers", json={"sec_user_id": sec, "count": 5}).json()["data"]
    assert page["has_more"] is True and isinstance(page["min_time"], int) and page["next_page_token"]
    other = client.post(P + "user/followers", json={"sec_user_id": u.sec_uid_of("chef_lina"),
                                                    "page_token": page["next_page_token"]})
    assert other.status_code == 400 and "page_token" in other.json()["error"]["message"]
    forged = client.post(P + "user/followers", json={"sec_user_id": sec, "page_token": "not-a-token"})
    assert forged.status_code == 400 and "page_token" in forged.json()["error"]["message"]


def test_publish_time_filters_search_and_relevance_is_not_time_order(simulator, client) -> None:
    u = simulator.universe
    kw = u.DEMO_KEYWORDS[0]
    week = u.search_videos(kw, "7")
    assert week and all(v["create_time"] >= u.now - 7 * 86400 for v in week)
    allt = u.search_videos(kw)
    times = [v["create_time"] for v in allt]
    assert times != sorted(times, reverse=True) and len(allt) > len(week)
    items, _ = drain(client, "search/videos", {"keyword": kw, "publish_time": "7", "count": 30})
    assert {v["aweme_id"] for v in items} == {v["aweme_id"] for v in week}


@pytest.mark.parametrize("mega", [1_000_000])
def test_mega_comments_are_generated_by_index(simulator_factory, client_for, mega: int) -> None:
    sim: SimulatorServer = simulator_factory(mega_comments=mega, quirks=frozenset())
    u, c = sim.universe, client_for(sim)
    assert len(u.comments_of(u.MEGA_VIDEO_ID)) == mega
    assert u.pages_needed(P + "video/comments", video_id=u.MEGA_VIDEO_ID) == mega // 50
    near_end = c.post(P + "video/comments", json={"video_id": u.MEGA_VIDEO_ID, "cursor": mega - 30, "count": 50}).json()["data"]
    assert len(near_end["comments"]) == 30 and near_end["has_more"] == 0
    assert near_end["comments"][-1] == u.comments_of(u.MEGA_VIDEO_ID)[mega - 1]
    detail = c.post(P + "video", json={"video_id": u.MEGA_VIDEO_ID}).json()["data"]["aweme_detail"]
    assert detail["statistics"]["comment_count"] == mega
