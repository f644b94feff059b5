"""Parameter validation: ValueError naming the parameter, raised at call time, before any request.

The client here points at a closed port: if any check let a request through, the call would fail
with a ServerError after retries instead of the ValueError, and the ledger would not be empty.
"""

from __future__ import annotations

import pytest

from tiktok_assets.scavio.client import ScavioClient

S = "MS4wLjABAAAA"


@pytest.fixture
def offline_client(tmp_path):
    client = ScavioClient("sk_offline_key_1234", base_url="http://127.0.0.1:9", max_retries=0,
                          state_dir=tmp_path, rate_limit=1000, rate_window_seconds=1)
    yield client
    assert client.ledger == [] and client.credits_spent == 0
    client.close()


CASES = [
    ("user_posts", (S,), {"count": 31}, "count"),
    ("user_posts", (S,), {"count": 0}, "count"),
    ("user_posts", (S,), {"sort_type": "2"}, "sort_type"),
    ("user_posts", (S,), {"sort_type": 0}, "sort_type"),
    ("user_posts", ("",), {}, "sec_user_id"),
    ("user_posts", (S,), {"max_pages": 0}, "max_pages"),
    ("user_posts", (S,), {"max_items": -1}, "max_items"),
    ("video_comments", ("123",), {"count": 51}, "count"),
    ("video_comments", (" ",), {}, "video_id"),
    ("comment_replies", ("123", ""), {}, "comment_id"),
    ("comment_replies", ("123", "456"), {"count": 51}, "count"),
    ("search_videos", ("",), {}, "keyword"),
    ("search_videos", ("x" * 501,), {}, "keyword"),
    ("search_videos", ("ok",), {"publish_time": "14"}, "publish_time"),
    ("search_videos", ("ok",), {"sort_type": "relevance"}, "sort_type"),
    ("search_videos", ("ok",), {"count": 31}, "count"),
    ("search_users", ("   ",), {}, "keyword"),
    ("search_users", ("ok",), {"count": True}, "count"),
    ("hashtag_videos", ("229207",), {"count": 31}, "count"),
    ("hashtag_videos", (None,), {}, "hashtag_id"),
    ("user_followers", (S,), {"count": 21}, "count"),
    ("user_followings", (S,), {"count": 21}, "count"),
    ("user_followings", ("",), {}, "sec_user_id"),
    ("video", ("",), {}, "video_id"),
    ("profile", (), {}, "username or sec_user_id"),
    ("profile", (), {"username": "a", "sec_user_id": S}, "username or sec_user_id"),
    ("profile", (), {"username": ""}, "username"),
    ("hashtag", (), {}, "hashtag_name or hashtag_id"),
    ("hashtag", (), {"hashtag_name": "fyp", "hashtag_id": "1"}, "hashtag_name or hashtag_id"),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "names"), CASES)
def test_bad_parameter_raises_at_call_time(offline_client, method, args, kwargs, names):
    with pytest.raises(ValueError) as info:
        getattr(offline_client, method)(*args, **kwargs)  # no next(): paginated methods validate eagerly
    assert names in str(info.value)


def test_boundaries_are_accepted_and_nothing_is_sent_until_iterated(offline_client):
    offline_client.search_videos("x" * 500, count=30, publish_time="180", sort_type="1")
    offline_client.user_posts(S, count=1)
    offline_client.video_comments("1", count=50)
    offline_client.comment_replies("1", "2", count=1)
    offline_client.user_followers(S, count=20)
    offline_client.hashtag_videos("1", count=30, max_pages=1, max_items=1)
    offline_client.search_users("東京 ramen 🍜", count=30)


@pytest.mark.parametrize("cursor", ["", "abc", "-5", 1790000000000])
def test_posts_start_cursor_is_digits(offline_client, cursor):
    with pytest.raises(ValueError, match="cursor must be a string of digits"):
        offline_client.user_posts("MS4w", cursor=cursor)
