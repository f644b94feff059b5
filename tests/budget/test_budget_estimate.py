"""The estimate from ledger history and from defaults, the preflight verdict, and the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.budget.budget_helpers import NOW, entries
from tiktok_assets.assets.hashtags import HASHTAG_FEED_MAX_PAGES
from tiktok_assets.budget.estimate import DEFAULTS, estimate_credits, history_rates, preflight, window_days
from tiktok_assets.budget.ledger_sink import flush_ledger
from tiktok_assets.budget.settings import BudgetSettings
from tiktok_assets.cli.main import main
from tiktok_assets.tracking import Tracked

TRACKED = Tracked(accounts=("chef_lina", "urban_runner"), hashtags=("cooking",), keywords=("ramen",))
DAY = NOW.date()


def test_window_days():
    assert [window_days(p) for p in ("2026-11-20", "2026-11-20..2026-11-22", None, "garbage")] == [1, 3, 1, 1]


def test_defaults_without_history(lake):
    est = estimate_credits(lake, ["profiles", "posts", "videos", "followers"], [DAY, DAY + timedelta(days=2)], TRACKED)
    # profiles 1/account; posts (1/day + 1) per account over 3 days; videos 5/day for 4 sources; followers 10/account
    assert est == {"profiles": 2, "posts": 2 * (1 + 3), "videos": 4 * 5 * 3, "followers": 20}
    # hashtag_videos: the feed to the asset's default depth, once per hashtag, however many days
    assert estimate_credits(lake, ["hashtag_videos"], [DAY, DAY + timedelta(days=2)], TRACKED) == \
        {"hashtag_videos": len(TRACKED.hashtags) * HASHTAG_FEED_MAX_PAGES}
    assert set(DEFAULTS) == {"profiles", "hashtags", "search_users", "followers", "followings", "posts",
                             "hashtag_videos", "search_videos", "videos", "comments", "comment_replies"}


def test_history_per_entity_with_fallback_to_asset_median(lake):
    # chef_lina: a 1-day run of 5 pages and a 3-day run of 10 pages -> per day (5-1)/1=4 and (10-1)/3=3 -> median 3.5
    flush_ledger(lake, entries(5, entity="chef_lina"), "r1")
    flush_ledger(lake, entries(10, entity="chef_lina", at=NOW + timedelta(hours=1),
                               partition="2026-11-18..2026-11-20"), "r2")
    rates = history_rates(lake, today=DAY)
    assert rates == {"posts": {"chef_lina": 3.5}}
    est = estimate_credits(lake, ["tiktok/posts"], [DAY + timedelta(days=1)], TRACKED)
    # chef_lina: 1 + 3.5 -> 5 (rounded up); urban_runner has no history: the asset median 3.5 too
    assert est == {"posts": 10}


def test_unknown_asset_is_a_clear_error(lake):
    with pytest.raises(ValueError, match=r"unknown asset\(s\) \['reels'\]"):
        estimate_credits(lake, ["reels"], [DAY], TRACKED)


def test_preflight_refuses_over_budget(lake):
    flush_ledger(lake, entries(8), "r1")
    verdict = preflight(lake, BudgetSettings(daily=10), ["profiles"], [DAY], TRACKED, NOW)
    assert verdict.ok and verdict.total == 2
    verdict = preflight(lake, BudgetSettings(daily=10), ["profiles", "followers"], [DAY], TRACKED, NOW)
    assert not verdict.ok
    assert verdict.message().startswith("estimated 22 credits EXCEEDS the budget left: 2 credits left")


def test_estimate_cli(lake, tmp_path, monkeypatch, capsys):
    tracked = tmp_path / "tracked.yaml"
    tracked.write_text("accounts: [chef_lina, urban_runner]\nhashtags: [cooking]\nkeywords: []\n")
    monkeypatch.setenv("TIKTOK_TRACKED_FILE", str(tracked))
    monkeypatch.setenv("TIKTOK_LAKE_URL", lake.url)
    monkeypatch.setenv("TIKTOK_CREDIT_BUDGET_DAILY", "5")
    rc = main(["estimate", "--date", "2024-03-01", "--end-date", "2024-03-02", "--select", "posts,hashtag_videos",
               "--entities", "chef_lina,cooking"])
    out = capsys.readouterr().out
    assert rc == 3
    # posts: 1 + 1/day over 2 days; hashtag_videos: one capture of max_pages (10) pages, whatever the range
    assert "  posts                  3\n" in out and "  hashtag_videos        10\n" in out and "  total                 13\n" in out
    assert "estimated 13 credits EXCEEDS the budget left: 5 credits left" in out
    assert main(["estimate", "--date", "2024-03-02", "--end-date", "2024-03-01"]) == 2
    assert main(["estimate", "--date", "2024-03-01", "--select", "reels"]) == 2
    assert "unknown asset(s) reels" in capsys.readouterr().err
