"""Pure wait computation: which signal wins and how long it says."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from tiktok_assets.scavio import retry

NOW = 1_800_000_000.0


def test_retry_after_seconds_and_http_date():
    assert retry.parse_retry_after("3", NOW) == 3.0
    assert retry.parse_retry_after(" 1.5 ", NOW) == 1.5
    assert retry.parse_retry_after(formatdate(NOW + 7, usegmt=True), NOW) == pytest.approx(7.0)
    assert retry.parse_retry_after(formatdate(NOW - 30, usegmt=True), NOW) == 0.0  # in the past: now
    assert retry.parse_retry_after("soon", NOW) is None
    assert retry.parse_retry_after("", NOW) is None
    assert retry.parse_retry_after(None, NOW) is None


def test_reset_is_unix_time_fractional_or_delta():
    assert retry.parse_reset(f"{NOW + 2.25}", NOW) == pytest.approx(2.25 + retry.RESET_MARGIN)
    assert retry.parse_reset(str(int(NOW - 5)), NOW) == pytest.approx(retry.RESET_MARGIN)
    assert retry.parse_reset("12", NOW) == pytest.approx(12 + retry.RESET_MARGIN)  # small number: seconds from now
    assert retry.parse_reset("nan", NOW) is None
    assert retry.parse_reset("tomorrow", NOW) is None
    assert retry.parse_reset(None, NOW) is None


def test_reset_at_is_the_servers_own_time_when_it_sends_a_unix_time():
    """A unix time is kept as the server said it (the pacer orders answers by it), also when it has
    already passed by our clock; "seconds from now" is read against our clock and says so."""
    assert retry.parse_reset_at(f"{NOW + 2.25}", NOW) == (pytest.approx(NOW + 2.25 + retry.RESET_MARGIN), True)
    assert retry.parse_reset_at(f"{NOW + 2.25}", NOW + 1.0) == retry.parse_reset_at(f"{NOW + 2.25}", NOW)
    assert retry.parse_reset_at(str(int(NOW - 5)), NOW) == (pytest.approx(NOW - 5 + retry.RESET_MARGIN), True)
    assert retry.parse_reset_at("12", NOW) == (pytest.approx(NOW + 12 + retry.RESET_MARGIN), False)
    for bad in ("nan", "inf", "-1", "tomorrow", None):
        assert retry.parse_reset_at(bad, NOW) == (None, False), bad
    assert retry.parse_reset("inf", NOW) is None


def test_message_parsing():
    assert retry.parse_message("Rate limit exceeded. Retry after 30 seconds.") == 30.0
    assert retry.parse_message("please retry in 2.5s") == 2.5
    assert retry.parse_message("Rate limit exceeded.") is None
    assert retry.parse_message(None) is None


def test_backoff_is_full_jitter_with_sdk_constants():
    assert retry.backoff(0, rng=lambda: 0.999999) == pytest.approx(0.5, abs=1e-5)
    assert retry.backoff(3, rng=lambda: 1.0) == 4.0
    assert retry.backoff(10, rng=lambda: 1.0) == 8.0  # capped
    assert retry.backoff(10, rng=lambda: 0.0) == 0.0
    assert retry.backoff(2, rng=lambda: 0.5) == 1.0


@pytest.mark.parametrize(
    ("headers", "message", "seconds", "reason"),
    [
        ({"Retry-After": "4", "X-RateLimit-Reset": str(NOW + 9)}, "Retry after 30 seconds.", 4.0, retry.RETRY_AFTER),
        ({"x-ratelimit-reset": str(NOW + 9)}, "Retry after 30 seconds.", 9.0 + retry.RESET_MARGIN, retry.RATELIMIT_RESET),
        ({"Retry-After": "garbage", "X-RateLimit-Reset": "junk"}, "Retry after 30 seconds.", 30.0, retry.MESSAGE),
        ({}, "slow down", 0.5 * 0.25 * 2, retry.BACKOFF),  # attempt 1 -> cap 1.0, rng 0.25
    ],
)
def test_rate_limit_wait_precedence(headers, message, seconds, reason):
    wait = retry.wait_for_rate_limit(headers, message, attempt=1, now=NOW, rng=lambda: 0.25)
    assert wait.reason == reason
    assert wait.seconds == pytest.approx(seconds)


def test_transient_wait_grows_with_attempt():
    waits = [retry.wait_for_transient(a, rng=lambda: 1.0).seconds for a in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert {retry.wait_for_transient(2).reason} == {retry.BACKOFF}
