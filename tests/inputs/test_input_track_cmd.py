"""`tiktok-assets track|untrack` keep the file's comments and mode, and never create directories."""

from __future__ import annotations

import stat

from tests.inputs.conftest import assert_user_error
from tiktok_assets.tracking import Tracked, load_tracked

COMMENTED = """\
# Tracked entities of the marketing team (owner: data-eng)
accounts:   # creators we follow
  - chef_lina   # asked by growth, 2026-10
  # urban_runner paused until Q1
  - pixel_pets
hashtags:
  - cooking
keywords: [cooking recipe]  # search terms
"""


def test_track_and_untrack_keep_comments_and_mode(cli) -> None:
    f = cli.root / "team.yaml"
    f.write_text(COMMENTED, encoding="utf-8")
    f.chmod(0o644)
    proc = cli.run("track", "accounts", "@urban_runner", "mega_star", "--file", str(f))
    assert proc.returncode == 0, proc.stderr
    proc = cli.run("track", "keywords", "東京 ramen 🍜", "--file", str(f))
    assert proc.returncode == 0, proc.stderr
    proc = cli.run("untrack", "hashtags", "#cooking", "--file", str(f))
    assert proc.returncode == 0, proc.stderr
    text = f.read_text(encoding="utf-8")
    for comment in ("# Tracked entities of the marketing team (owner: data-eng)", "# creators we follow",
                    "# asked by growth, 2026-10", "# urban_runner paused until Q1", "# search terms"):
        assert comment in text, (comment, text)
    assert stat.S_IMODE(f.stat().st_mode) == 0o644
    assert load_tracked(f) == Tracked(("chef_lina", "pixel_pets", "urban_runner", "mega_star"), (),
                                      ("cooking recipe", "東京 ramen 🍜"))
    assert "Traceback" not in proc.stderr


def test_untrack_removes_only_the_entry_line(cli) -> None:
    f = cli.root / "team.yaml"
    f.write_text(COMMENTED, encoding="utf-8")
    assert cli.run("untrack", "accounts", "chef_lina", "--file", str(f)).returncode == 0
    expected = COMMENTED.replace("  - chef_lina   # asked by growth, 2026-10\n", "")
    assert f.read_text(encoding="utf-8") == expected


def test_track_refuses_a_missing_directory(cli) -> None:
    target = cli.root / "nonexistent" / "dir" / "t.yaml"
    proc = cli.run("track", "accounts", "chef_lina", "--file", str(target))
    assert_user_error(proc, str(target.parent), "does not exist")
    assert not (cli.root / "nonexistent").exists()


def test_untrack_of_a_missing_file_names_it(cli) -> None:
    target = cli.root / "nope.yaml"
    proc = cli.run("untrack", "accounts", "chef_lina", "--file", str(target))
    assert_user_error(proc, str(target), "not found")
    assert not target.exists()
