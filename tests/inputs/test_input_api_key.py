"""No SCAVIO_API_KEY: one line saying which variable to set, and no request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.inputs.conftest import assert_user_error, launch, step_failure, use_tracked
from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize("how", ["unset", "empty"])
def test_materialize_without_a_key_is_one_line(cli, how: str) -> None:
    kwargs = {"unset": ("SCAVIO_API_KEY",)} if how == "unset" else {"SCAVIO_API_KEY": ""}
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "posts", **kwargs)
    assert_user_error(proc, "SCAVIO_API_KEY is not set", "export SCAVIO_API_KEY=")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli.requests() == 0


def test_a_rejected_key_stops_after_one_request_and_says_so_without_the_clients_traceback(cli) -> None:
    """A key the server rejects (401) can only be found out by sending: one request, nothing charged, the
    run fails naming SCAVIO_API_KEY, and the step failure carries the message, not the client's
    traceback chained to it (it was 180 lines of output around the one line that matters)."""
    wrong = "sk_not_the_right_key_0000"
    cli.track(accounts=["chef_lina", "pixel_pets", "urban_runner"])
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts", "--no-dbt",
                   SCAVIO_API_KEY=wrong)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert cli.requests() == 1 and cli.sim.stats()["charged"] == 0, cli.sim.stats()
    assert re.search(r"^profiles\s+failed\s.*HTTP 401.*check SCAVIO_API_KEY", proc.stdout, re.MULTILINE), proc.stdout
    assert "The above exception was the direct cause" not in out and "scavio/requester.py" not in out, out[-3000:]
    assert wrong not in out


def test_estimate_needs_no_key(cli) -> None:
    proc = cli.run("estimate", "--date", (today_utc() - timedelta(days=1)).isoformat(), "--select", "posts",
                   unset=("SCAVIO_API_KEY",))
    assert proc.returncode == 0, proc.stderr
    assert "credit estimate" in proc.stdout and cli.requests() == 0


def _launch_posts(tmp_path, monkeypatch):
    use_tracked(tmp_path, monkeypatch, "accounts: [chef_lina]\n")
    return launch(("posts",), {"dagster/partition": today_utc().isoformat()})


def test_a_launched_run_with_an_empty_key_fails_in_one_line(scavio_env, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCAVIO_API_KEY", "")
    result = _launch_posts(tmp_path, monkeypatch)
    assert step_failure(result) == "SCAVIO_API_KEY is empty; set it to your Scavio API key"
    assert sum(scavio_env.stats()["requests"].values()) == 0


def test_a_launched_run_without_the_variable_is_refused_by_dagster_naming_it(scavio_env, tmp_path, monkeypatch) -> None:
    """Dagster resolves the resource's EnvVar when the run starts and refuses the run config with a
    message naming the variable (in the UI, the launchpad shows it); nothing is sent."""
    from dagster import DagsterInvalidConfigError

    monkeypatch.delenv("SCAVIO_API_KEY")
    with pytest.raises(DagsterInvalidConfigError, match='environment variable "SCAVIO_API_KEY" which is not set'):
        _launch_posts(tmp_path, monkeypatch)
    assert sum(scavio_env.stats()["requests"].values()) == 0
