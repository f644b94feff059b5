"""Small rules other modules rely on: parameter validation before spending, the date windows of the event
assets, and the layering of the packages (storage imports neither the client nor the assets)."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tiktok_assets.assets.windows import Window, group_by_day, page_is_older_than, publish_time_bucket, utc_day
from tiktok_assets.scavio import validation as V

PACKAGE = Path(__file__).resolve().parents[2] / "tiktok_assets"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: V.count(True, 1, 30), "count must be an integer between 1 and 30, got True"),
    (lambda: V.count("5", 1, 30), "count must be an integer between 1 and 30, got '5'"),
    (lambda: V.count(31, 1, 30), "count must be between 1 and 30, got 31"),
    (lambda: V.identifier(7350000000000000001, "video_id"), "video_id must be a non-empty string, got int"),
    (lambda: V.identifier("  ", "username"), "username must be a non-empty string, got '  '"),
    (lambda: V.keyword("k" * 501), "keyword must be at most 500 characters, got 501"),
    (lambda: V.keyword(" \n"), "keyword must be 1-500 characters and not blank"),
    (lambda: V.choice("2", V.SORT_TYPES, "sort_type"), "sort_type must be one of '0', '1', got '2'"),
    (lambda: V.choice(7, V.PUBLISH_TIMES, "publish_time"), "publish_time must be one of"),
    (lambda: V.exactly_one(("username", "a"), ("sec_user_id", "b")), "pass exactly one of username or sec_user_id (got 2)"),
    (lambda: V.exactly_one(("username", None), ("sec_user_id", None)), "pass exactly one of username or sec_user_id (got 0)"),
    (lambda: V.limit(0, "max_pages"), "max_pages must be None or an integer >= 1, got 0"),
])
def test_validation_messages_start_with_the_parameter(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)


def test_validation_passes_good_values_through():
    assert V.count(30, 1, 30) == 30 and V.identifier("MS4w", "sec_user_id") == "MS4w"
    assert V.keyword("東京 ramen 🍜") == "東京 ramen 🍜" and V.choice("180", V.PUBLISH_TIMES, "publish_time") == "180"
    assert V.exactly_one(("username", None), ("sec_user_id", "MS4w")) == ("sec_user_id", "MS4w")
    assert V.limit(None, "max_pages") is None and V.limit(3, "max_pages") == 3


def ts(day: date, hour: int = 12) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp())


def test_windows():
    w = Window(date(2026, 11, 18), date(2026, 11, 20))
    assert (len(w.days()), str(w), w.end_ts_exclusive - w.start_ts) == (3, "2026-11-18..2026-11-20", 3 * 86400)
    with pytest.raises(ValueError, match="window end 2026-11-17 is before start 2026-11-18"):
        Window(date(2026, 11, 18), date(2026, 11, 17))
    assert utc_day(ts(date(2026, 11, 20), 0)) == date(2026, 11, 20) and utc_day(str(ts(date(2026, 11, 20)))) == date(2026, 11, 20)
    assert utc_day(None) is None and utc_day("soon") is None
    items = [{"id": "late", "create_time": ts(date(2026, 11, 20), 23)}, {"id": "early", "create_time": ts(date(2026, 11, 18), 0)},
             {"id": "before", "create_time": ts(date(2026, 11, 17), 23)}, {"id": "undated"}]
    grouped = group_by_day(items, w)
    assert {d.day: [i["id"] for i in v] for d, v in grouped.items()} == {18: ["early"], 19: [], 20: ["late"]}
    assert page_is_older_than(items[:3], w) and not page_is_older_than(items[:2], w)
    assert not page_is_older_than([{**items[2], "is_top": 1}], w)  # a pinned old post never stops the pass
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert [publish_time_bucket(Window(date(2026, 11, d), date(2026, 11, 20)), now) for d in (20, 19, 14, 1)] == ["1", "7", "7", "30"]


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("layer, forbidden", [
    ("lake", ("tiktok_assets.scavio", "tiktok_assets.assets", "tiktok_assets.budget", "tiktok_assets.simulator",
              "tiktok_assets.dbt", "tiktok_assets.cli")),
    ("scavio", ("tiktok_assets.assets", "tiktok_assets.lake", "tiktok_assets.simulator", "tiktok_assets.dbt")),
])
def test_layers_import_only_downwards(layer, forbidden):
    """Storage must not import the client (issue 13), nor the client the storage or the assets."""
    offenders = {f"{p.relative_to(PACKAGE.parent)} imports {name}"
                 for p in sorted((PACKAGE / layer).rglob("*.py")) for name in imports_of(p)
                 if name.startswith(forbidden)}
    assert not offenders, sorted(offenders)
