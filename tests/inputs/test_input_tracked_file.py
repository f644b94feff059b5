"""A broken tracked.yaml fails with the file, the line and the key, before any request."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.inputs.conftest import assert_user_error, launch, step_failure, use_tracked
from tiktok_assets.assets.windows import today_utc
from tiktok_assets.tracking import Tracked, TrackedFileError, load_tracked


@pytest.mark.parametrize("command", ["materialize", "estimate"])
def test_a_missing_tracked_file_is_named(cli, command: str) -> None:
    typo = cli.root / "trakced.yaml"
    proc = cli.run(command, "--date", today_utc().isoformat(), "--select", "posts", TIKTOK_TRACKED_FILE=str(typo))
    assert_user_error(proc, str(typo), "not found", "TIKTOK_TRACKED_FILE")
    assert cli.requests() == 0


BAD = [
    ("acounts:\n  - chef_lina\n", 1, ["unknown key 'acounts'", "did you mean 'accounts'"]),
    ("accounts:\n  - chef_lina\n  - null\n", 3, ["'accounts'", "null"]),
    ("accounts:\n  - chef_lina\nhashtags:\n  - true\n", 4, ["'hashtags'", "'true'", "a boolean", "quote it"]),
    ("accounts:\n  - 12345\n", 2, ["'accounts'", "'12345'", "a number", "quote it"]),
    ("accounts:\n  - chef_lina\n  - ''\n", 3, ["accounts", "empty name"]),
    ("keywords:\n  - [a, b]\n", 2, ["'keywords'", "a list"]),
    ("accounts: chef_lina\n", 1, ["'accounts' must be a list"]),
    ("accounts: [chef_lina\n", 2, ["not valid YAML"]),
    ("- chef_lina\n", 1, ["expected a mapping"]),
    ("accounts: [a]\naccounts: [b]\n", 2, ["'accounts' appears twice"]),
]


@pytest.mark.parametrize(("text", "line", "fragments"), BAD, ids=[b[0].split("\n")[0][:20] + f"-l{b[1]}" for b in BAD])
def test_bad_entries_name_file_line_and_key(tmp_path: Path, text: str, line: int, fragments: list[str]) -> None:
    f = tmp_path / "tracked.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TrackedFileError) as info:
        load_tracked(f)
    message = str(info.value)
    assert message.startswith(f"{f}:{line}: "), message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_cli_reports_a_bad_entry_before_any_request(cli) -> None:
    cli.tracked.write_text("accounts:\n  - chef_lina\n  - null\nhashtags: []\nkeywords: []\n", encoding="utf-8")
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts")
    assert_user_error(proc, f"{cli.tracked}:3:", "'accounts'", "null")
    assert cli.requests() == 0 and not (cli.root / "lake" / "profiles").exists()


def test_valid_names_stay_valid(tmp_path: Path) -> None:
    f = tmp_path / "tracked.yaml"
    long_account = "a" * 600
    cjk = "東京の美味しいラーメン" * 8 + " 🍜"
    f.write_text(f"# ours\naccounts:\n  - '@chef_lina'\n  - {long_account}\n  - '12345'\nhashtags: [fyp, '#cooking']\n"
                 f"keywords:\n  - 東京 ramen 🍜\n  - {cjk}\n  - 'yes'\n", encoding="utf-8")
    assert load_tracked(f) == Tracked(("chef_lina", long_account, "12345"), ("fyp", "cooking"), ("東京 ramen 🍜", cjk, "yes"))


def test_empty_file_and_empty_kinds_mean_nothing_tracked(tmp_path: Path) -> None:
    f = tmp_path / "tracked.yaml"
    f.write_text("# nothing yet\n", encoding="utf-8")
    assert load_tracked(f) == Tracked()
    f.write_text("accounts:\nhashtags: []\n", encoding="utf-8")
    assert load_tracked(f) == Tracked()


def test_a_launched_run_with_a_broken_tracked_file_fails_in_one_line(scavio_env, tmp_path, monkeypatch) -> None:
    tracked = use_tracked(tmp_path, monkeypatch, "acounts: [chef_lina]\n")
    desc = step_failure(launch(("posts",), {"dagster/partition": today_utc().isoformat()}))
    assert f"{tracked}:1: unknown key 'acounts'" in desc and "\n" not in desc
    assert sum(scavio_env.stats()["requests"].values()) == 0
