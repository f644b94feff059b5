"""Paginator next-parameter logic for the three styles, and the never-loop guarantees."""

from __future__ import annotations

import pytest

from tiktok_assets.scavio import endpoints as E
from tiktok_assets.scavio.pagination import (
    MaxCursorPaginator,
    OffsetPaginator,
    TokenTimePaginator,
    paginator_for,
    truthy_has_more,
)


@pytest.mark.parametrize(("value", "expected"), [(1, True), (0, False), (True, True), (False, False), ("1", True),
                                                   ("0", False), ("true", True), ("false", False), (None, False)])
def test_has_more_accepts_int_bool_and_strings(value, expected):
    assert truthy_has_more(value) is expected


def test_paginator_for_each_style():
    assert isinstance(paginator_for(E.USER_POSTS), MaxCursorPaginator)
    for spec in (E.VIDEO_COMMENTS, E.COMMENT_REPLIES, E.SEARCH_VIDEOS, E.SEARCH_USERS, E.HASHTAG_VIDEOS):
        assert isinstance(paginator_for(spec), OffsetPaginator)
    assert isinstance(paginator_for(E.USER_FOLLOWERS), TokenTimePaginator)
    assert isinstance(paginator_for(E.USER_FOLLOWINGS), TokenTimePaginator)
    with pytest.raises(ValueError):
        paginator_for(E.PROFILE)


def test_max_cursor_follows_data_max_cursor_not_cursor():
    p = MaxCursorPaginator()
    assert p.first_params() == {"cursor": "0"}
    p.update_state({"has_more": 1, "max_cursor": 1711494099000, "cursor": "999"})
    assert p.has_next_page and p.next_params() == {"cursor": "1711494099000"}
    p.update_state({"has_more": 1, "max_cursor": "1711000000000"})
    assert p.next_params() == {"cursor": "1711000000000"}
    p.update_state({"has_more": 0, "max_cursor": "1700000000000"})
    assert not p.has_next_page and p.stop_reason is None


def test_offset_follows_data_cursor_and_numbers_become_strings():
    p = OffsetPaginator()
    p.update_state({"has_more": 1, "cursor": 30, "max_cursor": "x"})
    assert p.next_params() == {"cursor": "30"}
    p.update_state({"has_more": True, "cursor": 57})  # a short page moves the cursor less: still going
    assert p.next_params() == {"cursor": "57"}
    p.update_state({"has_more": 0, "cursor": 60})
    assert not p.has_next_page and p.stop_reason is None


@pytest.mark.parametrize("bad_cursor", [30, "30", "0", 0, "", None, "10"])
def test_cursor_that_does_not_advance_stops_with_reason(bad_cursor):
    p = OffsetPaginator()
    p.update_state({"has_more": 1, "cursor": 10})
    p.next_params()
    p.update_state({"has_more": 1, "cursor": 30})
    p.next_params()  # sent: "0", "10", "30"
    p.update_state({"has_more": 1, "cursor": bad_cursor})
    assert not p.has_next_page
    assert "does not advance" in p.stop_reason


def test_first_page_with_start_cursor_and_has_more_stops():
    p = MaxCursorPaginator()
    p.update_state({"has_more": 1, "max_cursor": "0"})
    assert not p.has_next_page and p.stop_reason


def test_token_time_passes_both_and_stops_on_false():
    p = TokenTimePaginator()
    assert p.first_params() == {}
    p.update_state({"has_more": True, "next_page_token": "tokA", "min_time": 1700000000})
    assert p.next_params() == {"page_token": "tokA", "min_time": 1700000000}
    p.update_state({"has_more": 1, "next_page_token": "tokB", "min_time": 1690000000})
    assert p.next_params() == {"page_token": "tokB", "min_time": 1690000000}
    p.update_state({"has_more": False, "next_page_token": "tokC", "min_time": 1680000000})
    assert not p.has_next_page and p.stop_reason is None


@pytest.mark.parametrize("data", [
    {"has_more": True, "next_page_token": "tokA", "min_time": 1700000000},  # same as sent
    {"has_more": True, "next_page_token": "", "min_time": 0},  # back to the start
    {"has_more": True},  # nothing to send
])
def test_token_time_stuck_stops(data):
    p = TokenTimePaginator()
    p.update_state({"has_more": True, "next_page_token": "tokA", "min_time": 1700000000})
    p.next_params()
    p.update_state(data)
    assert not p.has_next_page and "do not advance" in p.stop_reason


def test_posts_stream_can_start_at_a_cursor_and_never_loops_back_to_it():
    p = paginator_for(E.USER_POSTS, start="1790000000000")
    assert p.first_params() == {"cursor": "1790000000000"}
    p.update_state({"has_more": 1, "max_cursor": "1790000000000"})  # echoed: the server did not move
    assert not p.has_next_page and "does not advance" in p.stop_reason
    q = paginator_for(E.USER_POSTS, start="1790000000000")
    q.update_state({"has_more": 1, "max_cursor": "1780000000000"})
    assert q.has_next_page and q.next_params() == {"cursor": "1780000000000"}
    with pytest.raises(ValueError, match="only user/posts can start at a cursor"):
        paginator_for(E.VIDEO_COMMENTS, start="50")
