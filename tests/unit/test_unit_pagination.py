"""Paginators driven by fake pages (``data`` dicts as the API sends them): the requests each style
sends, where each stream ends and why, and the exact id set used to drop repeated items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tiktok_assets.scavio import endpoints as E
from tiktok_assets.scavio.pagination import (
    MaxCursorPaginator,
    OffsetPaginator,
    SeenIds,
    TokenTimePaginator,
    paginator_for,
    truthy_has_more,
)


def drain(paginator: Any, pages: list[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Feed ``pages`` in order the way the client does; return the params of every request sent and
    how many pages were read before the paginator said stop."""
    sent = [paginator.first_params()]
    read = 0
    for data in pages:
        read += 1
        paginator.update_state(data)
        if not paginator.has_next_page:
            break
        sent.append(paginator.next_params())
    return sent, read


def test_user_posts_stream_follows_max_cursor_to_has_more_zero():
    pages = [{"has_more": 1, "max_cursor": 1700000300000, "cursor": "ignored"},
             {"has_more": 1, "max_cursor": 1700000200000},
             {"has_more": 0, "max_cursor": 1700000100000},
             {"has_more": 1, "max_cursor": 1}]  # never read
    p = paginator_for(E.USER_POSTS)
    sent, read = drain(p, pages)
    assert sent == [{"cursor": "0"}, {"cursor": "1700000300000"}, {"cursor": "1700000200000"}]
    assert read == 3 and p.stop_reason is None


def test_user_posts_can_start_at_a_seeded_cursor_which_may_not_come_back():
    p = paginator_for(E.USER_POSTS, start="1700000000000")
    sent, read = drain(p, [{"has_more": 1, "max_cursor": "1700000000000"}])
    assert sent == [{"cursor": "1700000000000"}] and read == 1
    assert p.stop_reason == ("has_more is set but data.max_cursor='1700000000000' does not advance past the "
                             "cursor sent ('1700000000000')")
    with pytest.raises(ValueError, match="only user/posts can start at a cursor"):
        paginator_for(E.VIDEO_COMMENTS, start="5")


def test_offset_stream_with_short_pages_goes_on_until_has_more_is_false():
    pages = [{"has_more": 1, "cursor": 50}, {"has_more": "1", "cursor": 83}, {"has_more": True, "cursor": "120"},
             {"has_more": False, "cursor": 150}]
    p = paginator_for(E.VIDEO_COMMENTS)
    sent, read = drain(p, pages)
    assert sent == [{"cursor": "0"}, {"cursor": "50"}, {"cursor": "83"}, {"cursor": "120"}]
    assert read == 4 and p.stop_reason is None


@pytest.mark.parametrize("stuck", [{"has_more": 1, "cursor": 30}, {"has_more": 1, "cursor": "0"},
                                   {"has_more": 1, "cursor": ""}, {"has_more": 1}, {"has_more": 1, "cursor": 0}])
def test_offset_cursor_that_repeats_or_resets_ends_the_stream_with_a_reason(stuck):
    p = OffsetPaginator()
    sent, read = drain(p, [{"has_more": 1, "cursor": 30}, stuck, {"has_more": 1, "cursor": 60}])
    assert sent == [{"cursor": "0"}, {"cursor": "30"}] and read == 2
    assert p.stop_reason is not None and "does not advance past the cursor sent ('30')" in p.stop_reason
    with pytest.raises(AssertionError, match="after the last page"):
        p.next_params()


def test_followers_stream_sends_token_and_min_time_back_exactly():
    pages = [{"has_more": True, "next_page_token": "tok-1", "min_time": 1700000000},
             {"has_more": True, "next_page_token": "tok-2", "min_time": 1690000000},
             {"has_more": False, "next_page_token": "tok-3", "min_time": 1680000000}]
    p = paginator_for(E.USER_FOLLOWERS)
    sent, read = drain(p, pages)
    assert sent == [{}, {"page_token": "tok-1", "min_time": 1700000000}, {"page_token": "tok-2", "min_time": 1690000000}]
    assert read == 3 and p.stop_reason is None
    assert type(sent[1]["min_time"]) is int  # passed back as received, not as text


def test_followers_stream_with_only_a_min_time_and_a_repeated_pair():
    p = TokenTimePaginator()
    sent, read = drain(p, [{"has_more": 1, "min_time": 1700000000}, {"has_more": 1, "min_time": "1700000000"}])
    assert sent == [{}, {"min_time": 1700000000}] and read == 2
    assert p.stop_reason is not None and "do not advance past the last sent" in p.stop_reason
    q = TokenTimePaginator()
    assert drain(q, [{"has_more": True, "next_page_token": "", "min_time": None}]) == ([{}], 1)
    assert q.stop_reason is not None


@pytest.mark.parametrize(("value", "expected"), [(2, True), (0.0, False), (" TRUE ", True), ("yes", True),
                                                  ("no", False), ([], False), ({"x": 1}, False)])
def test_has_more_edge_values(value, expected):
    assert truthy_has_more(value) is expected


def test_paginator_classes_per_endpoint_style():
    assert type(paginator_for(E.USER_POSTS)) is MaxCursorPaginator
    assert {type(paginator_for(s)) for s in (E.SEARCH_VIDEOS, E.SEARCH_USERS, E.HASHTAG_VIDEOS, E.COMMENT_REPLIES)} == {OffsetPaginator}
    assert type(paginator_for(E.USER_FOLLOWINGS)) is TokenTimePaginator
    for single in (E.PROFILE, E.VIDEO, E.HASHTAG):
        with pytest.raises(ValueError, match="is not paginated"):
            paginator_for(single)


def test_seen_ids_is_exact_for_numeric_and_other_ids_across_merges(monkeypatch):
    monkeypatch.setattr(SeenIds, "MERGE_AT", 4)
    seen = SeenIds()
    for key in ["7350000000000000005", 3, "3", "1", "42", "9", "007", "-1", "abc", "9223372036854775808"]:
        seen.add(key)
    assert len(seen) == 9  # 3 and "3" are one id
    assert len(seen._sorted) >= 4  # noqa: SLF001 - the numeric ids were merged into the sorted array
    for key in ["7350000000000000005", "3", 3, "1", "42", "9", "007", "-1", "abc", "9223372036854775808"]:
        assert key in seen
    for key in ["7", "07", "4", "ABC", "0", "9223372036854775807"]:
        assert key not in seen
