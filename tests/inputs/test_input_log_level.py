"""A typo in TIKTOK_LOG_LEVEL is one line naming it, before the run exists: nothing is sent and no
run is recorded (it used to be a traceback from Dagster's logger set-up, after the run was created)."""

from __future__ import annotations

from tests.inputs.conftest import assert_user_error
from tiktok_assets.assets.windows import today_utc


def test_a_bad_log_level_is_one_line_and_sends_nothing(cli) -> None:
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles", "--no-dbt",
                   TIKTOK_LOG_LEVEL="verbose")
    assert_user_error(proc, "TIKTOK_LOG_LEVEL='verbose' is not a log level", "DEBUG, INFO, WARNING")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli.requests() == 0
    assert not (cli.home / "history").exists()  # no run was created


def test_the_log_level_sets_what_a_run_prints(cli) -> None:
    """INFO (the default) prints the progress lines and none of Dagster's DEBUG step events; WARNING
    hides the progress too. The summary table is printed either way."""
    day = today_utc().isoformat()
    info = cli.run("materialize", "--date", day, "--select", "profiles", "--no-dbt", TIKTOK_LOG_LEVEL="info")
    assert info.returncode == 0, info.stderr[-2000:]
    both = info.stdout + info.stderr
    assert "profiles: 2 accounts selected" in both and " - DEBUG - " not in both
    quiet = cli.run("materialize", "--date", day, "--select", "profiles", "--no-dbt", TIKTOK_LOG_LEVEL="WARNING")
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "accounts selected" not in quiet.stdout + quiet.stderr
    assert any(line.split()[:1] == ["profiles"] and "ok" in line for line in quiet.stdout.splitlines()), quiet.stdout
