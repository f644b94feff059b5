"""`--entities` naming anything that is not tracked is refused, naming exactly the unknown names."""

from __future__ import annotations

import pytest

from tests.inputs.conftest import assert_user_error, launch, step_failure, use_tracked
from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize("command", ["materialize", "estimate"])
def test_entities_naming_nothing_tracked(cli, command: str) -> None:
    proc = cli.run(command, "--date", today_utc().isoformat(), "--select", "posts", "--entities", "nobody_here,ghost")
    line = assert_user_error(proc, "not tracked", "nobody_here, ghost", str(cli.tracked))
    assert "chef_lina" not in line
    assert cli.requests() == 0


@pytest.mark.parametrize("command", ["materialize", "estimate"])
def test_one_typo_among_known_names_fails_the_whole_command(cli, command: str) -> None:
    """A typo is not silently dropped while the other names run: the user meant that account."""
    proc = cli.run(command, "--date", today_utc().isoformat(), "--select", "posts", "--entities", "chef_lina,chef_lnia")
    line = assert_user_error(proc, "not tracked", "chef_lnia")
    assert "chef_lina," not in line and "chef_lina " not in line
    assert cli.requests() == 0


def test_entities_that_name_nothing_at_all(cli) -> None:
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--entities", " , ")
    assert_user_error(proc, "--entities names nothing")
    assert cli.requests() == 0


def test_a_launched_run_with_an_untracked_entity_tag_fails_before_spending(scavio_env, tmp_path, monkeypatch) -> None:
    use_tracked(tmp_path, monkeypatch, "accounts: [chef_lina]\n")
    result = launch(("profiles",), {"dagster/partition": today_utc().isoformat(), "tiktok/entities": "chef_lnia"})
    assert "not tracked: chef_lnia" in step_failure(result)
    assert sum(scavio_env.stats()["requests"].values()) == 0
