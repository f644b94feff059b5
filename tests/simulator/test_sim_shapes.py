"""Response shapes of all eleven endpoints, the envelope, and the realism the client must survive."""

from __future__ import annotations

import re

from sim_http import P

from tiktok_assets.simulator import CAP_ACCOUNT, DEMO_ACCOUNTS, PRIVATE_ACCOUNT, SimulatorServer, Universe

ID19 = re.compile(r"^\d{19}$")
SEC = re.compile(r"^MS4wLjABAAAA[A-Za-z0-9_-]{40}$")


def _ok(client, endpoint: str, body: dict) -> dict:
    r = client.post(P + endpoint, json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["credits_used"] == 1 and isinstance(doc["credits_remaining"], int)
    assert isinstance(doc["response_time"], int)
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(r.headers)
    return doc["data"]


def _check_video(v: dict) -> None:
    assert ID19.match(v["aweme_id"]) and isinstance(v["create_time"], int)
    assert set(v["statistics"]) >= {"digg_count", "comment_count", "play_count", "share_count", "collect_count"}
    assert SEC.match(v["author"]["sec_uid"]) and ID19.match(v["author"]["uid"])
    assert {"play_addr", "download_addr", "cover", "duration"} <= set(v["video"])
    assert all({"cid", "cha_name"} <= set(c) for c in v["cha_list"])
    assert all({"type", "user_id", "hashtag_name"} <= set(t) for t in v["text_extra"])


def test_every_endpoint_shape(simulator: SimulatorServer, client) -> None:
    u: Universe = simulator.universe
    user = _ok(client, "profile", {"username": DEMO_ACCOUNTS[0]})["user"]
    assert user == u.account(DEMO_ACCOUNTS[0])
    assert SEC.match(user["sec_uid"]) and ID19.match(user["uid"]) and user["avatar_larger"]["url_list"]
    assert user["aweme_count"] == len(u.posts_of(DEMO_ACCOUNTS[0])) and user["bio_url"]
    sec = user["sec_uid"]
    assert _ok(client, "profile", {"sec_user_id": sec})["user"] == user

    posts = _ok(client, "user/posts", {"sec_user_id": sec})
    assert posts["has_more"] == 1 and posts["max_cursor"].isdigit() and len(posts["aweme_list"]) == 20
    for v in posts["aweme_list"]:
        _check_video(v)

    vid = max(u.posts_of(DEMO_ACCOUNTS[0]), key=lambda v: v["statistics"]["comment_count"])["aweme_id"]
    detail = _ok(client, "video", {"video_id": vid})["aweme_detail"]
    _check_video(detail)
    assert detail["video"]["play_addr"]["url_list"][0].startswith("https://") and detail["video"]["duration"] > 0

    comments = _ok(client, "video/comments", {"video_id": vid, "count": 50})
    assert len(comments["comments"]) == 50 and comments["cursor"] >= 50 and comments["has_more"] == 1
    c0 = comments["comments"][0]
    assert ID19.match(c0["cid"]) and {"text", "create_time", "digg_count", "reply_comment_total", "user",
                                       "is_author_digged"} <= set(c0)
    thread = max(comments["comments"], key=lambda c: c["reply_comment_total"])
    assert 50 <= thread["reply_comment_total"] <= 300
    replies = _ok(client, "video/comments/replies", {"video_id": vid, "comment_id": thread["cid"], "count": 50})
    assert len(replies["comments"]) == 50 and all(r["reply_id"] == thread["cid"] for r in replies["comments"])

    sv = _ok(client, "search/videos", {"keyword": u.DEMO_KEYWORDS[1], "count": 30})
    assert len(sv["aweme_list"]) == 30 and sv["cursor"] == 30 and sv["has_more"] == 1
    su = _ok(client, "search/users", {"keyword": "chef", "count": 5})
    assert su["user_list"][0]["user_info"]["unique_id"] == "chef_lina"
    assert {"uid", "unique_id", "nickname", "sec_uid", "follower_count", "signature"} <= set(su["user_list"][0]["user_info"])

    info = _ok(client, "hashtag", {"hashtag_name": "cooking"})["challengeInfo"]
    ch = info["challenge"]
    assert ch["title"] == "cooking" and ch["id"].isdigit() and ch["stats"] == info["stats"]
    assert info["stats"]["videoCount"] == len(u.hashtag_videos_of(ch["id"])) > 0
    assert _ok(client, "hashtag", {"hashtag_id": ch["id"]})["challengeInfo"] == info
    hv = _ok(client, "hashtag/videos", {"hashtag_id": ch["id"], "count": 30})["aweme_list"]
    likes = [v["statistics"]["digg_count"] for v in hv]  # engagement order, like TikTok's hashtag page
    assert likes == sorted(likes, reverse=True) and all("cooking" in [c["cha_name"] for c in v["cha_list"]] for v in hv)

    for direction in ("followers", "followings"):
        page = _ok(client, f"user/{direction}", {"sec_user_id": sec, "count": 20})
        assert page["has_more"] is True and len(page[direction]) <= 20
        assert {"unique_id", "nickname", "sec_uid", "uid", "follower_count", "aweme_count", "signature",
                "avatar_thumb"} <= set(page[direction][0])
    assert set(simulator.stats()["requests"]) == {P + e for e in (
        "profile", "user/posts", "video", "video/comments", "video/comments/replies", "search/videos",
        "search/users", "hashtag", "hashtag/videos", "user/followers", "user/followings")}


def test_realistic_data(simulator: SimulatorServer) -> None:
    u = simulator.universe
    for account in DEMO_ACCOUNTS:
        posts = u.posts_of(account)
        recent = [p for p in posts if p["create_time"] >= u.now - 30 * 86400]
        assert 20 <= len(recent) <= 40 and min(p["create_time"] for p in posts) < u.now - 200 * 86400
        assert 50 <= len(u.followers_of(account)) <= 400
    videos = u.all_videos()
    assert len({v["aweme_id"] for v in videos}) == len(videos) > 1000
    text = "".join(v["desc"] for v in videos)
    for needle in ("\n", '"', "東京", "🍜"):
        assert needle in text
    assert re.search(r"[\u0590-\u05FF]", text) and re.search(r"[\u0600-\u06FF]", text)  # Hebrew, Arabic
    assert any(v["statistics"]["play_count"] == 0 for v in videos)
    assert any("music" not in v for v in videos) and any(not v["video"]["cover"]["url_list"] for v in videos)
    assert any(v["statistics"]["play_count"] > 2**31 for v in u.posts_of(CAP_ACCOUNT))
    assert u.account(CAP_ACCOUNT)["follower_count"] > 2**31 and u.account(CAP_ACCOUNT)["total_favorited"] > 2**31
    assert "bio_url" not in u.account("pixel_pets")
    assert u.hashtag("fyp")["stats"]["videoCount"] == 0  # missing_optional, as in Scavio's own example
    assert len(u.hashtag_videos_of(u.hashtag_id_of("fyp"))) == 2000  # hits the hashtag cap
    assert u.posts_of(PRIVATE_ACCOUNT) == [] and u.account(PRIVATE_ACCOUNT)["aweme_count"] > 0


def test_quirks_off_means_complete_objects(simulator_factory) -> None:
    u = simulator_factory(quirks=frozenset()).universe
    videos = u.all_videos()
    assert all("music" in v and v["video"]["cover"]["url_list"] and v["is_top"] == 0 for v in videos)
    assert all(v["statistics"]["play_count"] < 2**31 for v in videos)
    assert "bio_url" in u.account("pixel_pets") and u.account("gone_creator") is not None
    assert u.hashtag("fyp")["stats"]["videoCount"] > 2000


def test_determinism(simulator_factory, client_for) -> None:
    a, b = simulator_factory(now=1_764_000_000), simulator_factory(now=1_765_000_000)
    ua, ub = a.universe, b.universe
    assert [v["aweme_id"] for v in ua.posts_of("chef_lina")] == [v["aweme_id"] for v in ub.posts_of("chef_lina")]
    assert ua.sec_uid_of("urban_runner") == ub.sec_uid_of("urban_runner")
    served = [client_for(s).post(P + "user/posts", json={"sec_user_id": ua.sec_uid_of("chef_lina")}).json()["data"]
              for s in (a, b)]
    assert [v["aweme_id"] for v in served[0]["aweme_list"]] == [v["aweme_id"] for v in served[1]["aweme_list"]]
    again = Universe(42, 1_764_000_000)
    vid = ua.posts_of("chef_lina")[0]["aweme_id"]
    assert again.video(vid) == ua.video(vid) and again.comments_of(vid) == ua.comments_of(vid)
    other = Universe(7, 1_764_000_000)
    assert other.sec_uid_of("chef_lina") != ua.sec_uid_of("chef_lina")
