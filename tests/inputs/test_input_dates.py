"""Days that cannot be captured are refused before any request, by the CLI and by the asset itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.inputs.conftest import assert_user_error, launch, step_failure, use_tracked
from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize("command", ["materialize", "estimate"])
def test_future_days_are_refused_before_any_request(cli, command: str) -> None:
    today = today_utc()
    proc = cli.run(command, "--date", today.isoformat(), "--end-date", (today + timedelta(days=30)).isoformat())
    assert_user_error(proc, str(today + timedelta(days=30)), "in the future", f"today is {today} UTC")
    assert cli.requests() == 0
    assert not (cli.root / "lake").exists()


@pytest.mark.parametrize("command", ["materialize", "estimate"])
def test_days_before_the_first_partition_are_refused(cli, command: str) -> None:
    proc = cli.run(command, "--date", "2023-12-30", "--end-date", "2024-01-02", "--select", "posts")
    assert_user_error(proc, "2023-12-30", "before the first partition day 2024-01-01")
    assert "CheckError" not in proc.stdout + proc.stderr
    assert cli.requests() == 0


def test_reversed_range_is_one_line(cli) -> None:
    today = today_utc()
    proc = cli.run("materialize", "--date", today.isoformat(), "--end-date", (today - timedelta(days=2)).isoformat())
    assert_user_error(proc, "before start date")


def test_a_bad_date_is_one_line(cli) -> None:
    proc = cli.run("materialize", "--date", "2026-13-01")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "not a date (YYYY-MM-DD): '2026-13-01'" in proc.stderr


@pytest.fixture
def launched_env(scavio_env, tmp_path, monkeypatch):
    use_tracked(tmp_path, monkeypatch, "accounts: [chef_lina]\nhashtags: []\nkeywords: [cooking recipe]\n")
    return scavio_env


@pytest.mark.parametrize("when", ["future", "before_start"])
def test_a_launched_run_for_impossible_days_fails_clearly_before_spending(launched_env, tmp_path, when: str) -> None:
    """A partition range after today (or before the first partition) fails each step with a one-line
    Failure, and the simulator sees no request (the CLI is not the only way to launch a run)."""
    today = today_utc()
    start, end = ((today + timedelta(days=1), today + timedelta(days=365)) if when == "future"
                  else (today.replace(year=2023, month=12, day=30), today.replace(year=2024, month=1, day=2)))
    result = launch(("posts", "search_videos"), {"dagster/asset_partition_range_start": start.isoformat(),
                                                 "dagster/asset_partition_range_end": end.isoformat()})
    assert not result.success
    failures = result.get_step_failure_events()
    assert {f.step_key for f in failures} == {"tiktok_events"}  # one step per family
    for f in failures:
        desc = f.step_failure_data.user_failure_data.description
        assert "Nothing was requested or written" in desc
        assert ("in the future" if when == "future" else "before the first partition day") in desc
    assert sum(launched_env.stats()["requests"].values()) == 0
    assert not (tmp_path / "lake" / "posts").exists()


def test_a_launched_single_future_partition_fails_too(launched_env) -> None:
    tomorrow = today_utc() + timedelta(days=1)
    result = launch(("posts",), {"dagster/partition": tomorrow.isoformat()})
    assert "in the future" in step_failure(result)
    assert sum(launched_env.stats()["requests"].values()) == 0
