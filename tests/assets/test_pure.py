"""Pure logic of the asset layer: date windows, tracked.yaml editing, the partitions definition."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from tiktok_assets.assets.windows import Window, group_by_day, page_is_older_than, publish_time_bucket, utc_day
from tiktok_assets.partitions import daily_partitions, parse_entities_tag
from tiktok_assets.tracking import Tracked, load_tracked, track, untrack


def ts(y: int, m: int, d: int, h: int = 12) -> int:
    return int(datetime(y, m, d, h, tzinfo=UTC).timestamp())


def test_window_from_partition_datetimes_is_inclusive() -> None:
    w = Window.from_datetimes(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 4, tzinfo=UTC))
    assert w.days() == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    assert str(w) == "2026-01-01..2026-01-03"
    assert w.end_ts_exclusive - w.start_ts == 3 * 86400


def test_group_by_day_files_by_utc_create_day_and_keeps_empty_days() -> None:
    w = Window(date(2026, 1, 1), date(2026, 1, 3))
    items = [{"aweme_id": "a", "create_time": ts(2026, 1, 1, 0)}, {"aweme_id": "b", "create_time": ts(2026, 1, 3, 23)},
             {"aweme_id": "c", "create_time": ts(2025, 12, 31, 23)}, {"aweme_id": "d"}]
    out = group_by_day(items, w)
    assert {d: [i["aweme_id"] for i in v] for d, v in out.items()} == {
        date(2026, 1, 1): ["a"], date(2026, 1, 2): [], date(2026, 1, 3): ["b"]}
    assert utc_day(ts(2026, 1, 1, 0)) == date(2026, 1, 1)


def test_pinned_posts_never_stop_the_pass() -> None:
    w = Window(date(2026, 1, 10), date(2026, 1, 10))
    old_pinned = {"create_time": ts(2025, 1, 1), "is_top": 1}
    assert not page_is_older_than([old_pinned], w)
    assert not page_is_older_than([old_pinned, {"create_time": ts(2026, 1, 10)}], w)
    assert page_is_older_than([old_pinned, {"create_time": ts(2026, 1, 9)}], w)
    assert page_is_older_than([{"create_time": ts(2026, 1, 10)}, {"create_time": ts(2026, 1, 9)}], w)
    assert not page_is_older_than([{"create_time": ts(2026, 1, 11)}, {"create_time": ts(2026, 1, 10, 0)}], w)
    assert not page_is_older_than([], w)


@pytest.mark.parametrize(("days_ago", "bucket"), [(0, "1"), (3, "7"), (20, "30"), (60, "90"), (150, "180"), (400, "0")])
def test_publish_time_bucket_is_smallest_covering(days_ago: int, bucket: str) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    start = date.fromordinal(now.date().toordinal() - days_ago)
    assert publish_time_bucket(Window(start, now.date()), now) == bucket


def test_entities_tag_parsing() -> None:
    assert parse_entities_tag(" a, b,,c ") == ["a", "b", "c"]
    assert parse_entities_tag("  ") is None and parse_entities_tag(None) is None


def test_partitions_cover_two_years_with_today() -> None:
    keys = daily_partitions.get_partition_keys(current_time=datetime(2025, 12, 31, 12, tzinfo=UTC))
    assert keys[0] == "2024-01-01" and keys[-1] == "2025-12-31" and len(keys) == 731


def test_track_untrack_preserves_other_kinds_and_header(tmp_path) -> None:
    f = tmp_path / "tracked.yaml"
    f.write_text("# header stays\naccounts:\n  - chef_lina\nhashtags:\n  - fyp\nkeywords: []\n", encoding="utf-8")
    state, added = track("accounts", ["@urban_runner", "chef_lina", "urban_runner"], f)
    assert added == ["urban_runner"] and state.accounts == ("chef_lina", "urban_runner")
    state, added = track("keywords", ["東京 ramen 🍜"], f)
    assert added == ["東京 ramen 🍜"]
    state, removed = untrack("hashtags", ["#fyp", "nope"], f)
    assert removed == ["fyp"]
    text = f.read_text(encoding="utf-8")
    assert text.startswith("# header stays\n") and "東京 ramen 🍜" in text
    assert yaml.safe_load(text) == {"accounts": ["chef_lina", "urban_runner"], "hashtags": [], "keywords": ["東京 ramen 🍜"]}
    assert load_tracked(f) == Tracked(("chef_lina", "urban_runner"), (), ("東京 ramen 🍜",))


@pytest.mark.parametrize(("kind", "name", "msg"), [("accounts", "  ", "empty"), ("keywords", "x" * 501, "1-500"),
                                                   ("accounts", "two words", "whitespace"), ("things", "a", "unknown")])
def test_track_rejects_bad_names_and_leaves_file(tmp_path, kind: str, name: str, msg: str) -> None:
    f = tmp_path / "tracked.yaml"
    f.write_text("accounts:\n  - chef_lina\n", encoding="utf-8")
    with pytest.raises(ValueError, match=msg):
        track(kind, [name], f)
    assert f.read_text(encoding="utf-8") == "accounts:\n  - chef_lina\n"


def schedule_resources(tmp_path: Path, daily_budget: int | None = None) -> dict:
    from tiktok_assets.budget.resource import BudgetResource
    from tiktok_assets.lake.store import LakeResource

    return {"lake": LakeResource(lake_url=str(tmp_path / "lake")), "budget": BudgetResource(daily_budget=daily_budget)}


def test_daily_schedule_requests_snapshots_now_and_yesterday_events(tmp_path: Path) -> None:
    from dagster import build_schedule_context

    from tiktok_assets.schedules import tiktok_daily_schedule

    ctx = build_schedule_context(scheduled_execution_time=datetime(2026, 3, 10, 0, 15, tzinfo=UTC),
                                 resources=schedule_resources(tmp_path))
    reqs = list(tiktok_daily_schedule(ctx))
    got = {r.tags["tiktok/kind"]: (r.partition_key, sorted(k.path[1] for k in r.asset_selection)) for r in reqs}
    assert got == {
        "snapshot": (None, sorted(["profiles", "hashtags", "hashtag_videos", "followers", "followings", "search_users"])),
        "event": ("2026-03-09", sorted(["posts", "search_videos", "comments", "comment_replies", "videos"])),
    }


def test_daily_schedule_skips_with_reason_when_the_daily_budget_is_spent(tmp_path: Path) -> None:
    """The gate reads today's ledger: 3 credits spent of a daily budget of 3 -> no run, a reason."""
    from dagster import SkipReason, build_schedule_context

    from tiktok_assets.budget.ledger_sink import flush_ledger
    from tiktok_assets.lake.store import Lake
    from tiktok_assets.scavio.types import LedgerEntry
    from tiktok_assets.schedules import tiktok_daily_schedule

    now = datetime.now(UTC)
    spent = [LedgerEntry(endpoint="/api/v1/tiktok/profile", params_hash=f"h{i}", http_status=200, credits_used=1,
                         credits_remaining=100 - i, latency_ms=1.0, requested_at=now.timestamp() - 60 + i,
                         asset="profiles", entity="chef_lina") for i in range(3)]
    flush_ledger(Lake(str(tmp_path / "lake")), spent, "run-spent")
    ctx = build_schedule_context(scheduled_execution_time=now, resources=schedule_resources(tmp_path, daily_budget=3))
    out = list(tiktok_daily_schedule(ctx))
    assert len(out) == 1 and isinstance(out[0], SkipReason), out
    assert "3" in out[0].skip_message and "budget" in out[0].skip_message.lower()
    # a larger budget lets the same day's runs through again
    ctx = build_schedule_context(scheduled_execution_time=now, resources=schedule_resources(tmp_path, daily_budget=10))
    assert [type(r).__name__ for r in tiktok_daily_schedule(ctx)] == ["RunRequest", "RunRequest"]
