"""A setting every request or write would fail on is one line naming its variable, before the run
exists: exit 2, nothing sent, no run recorded. These used to fail inside the run's first step (70-80
lines of Dagster step failure for a client setting; a traceback for an impossible state folder; one
lake write error per asset, after every request was paid for, for an impossible lake folder)."""

from __future__ import annotations

import pytest

from tests.inputs.conftest import assert_user_error
from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize(("var", "value", "fragment"), [
    ("SCAVIO_MAX_CONCURRENCY", "0", "SCAVIO_MAX_CONCURRENCY='0': max_concurrency must be between 1 and 256"),
    ("SCAVIO_RATE_WINDOW_SECONDS", "-1", "SCAVIO_RATE_WINDOW_SECONDS='-1': rate_window_seconds must be > 0 seconds"),
    ("SCAVIO_BASE_URL", "api.scavio.dev", "SCAVIO_BASE_URL='api.scavio.dev': base_url must be an http(s) URL"),
    ("TIKTOK_STATE_DIR", "{blocker}/state", "state folder {blocker}/state (TIKTOK_STATE_DIR) cannot be created: Not a directory"),
    ("TIKTOK_LAKE_URL", "{blocker}/lake", "lake folder {blocker}/lake (TIKTOK_LAKE_URL) cannot be created: Not a directory"),
])
def test_an_impossible_setting_is_one_line_before_the_run(cli, var, value, fragment) -> None:
    blocker = cli.root / "a-file"
    blocker.write_text("")
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts", "--no-dbt",
                   **{var: value.format(blocker=blocker)})
    assert_user_error(proc, fragment.format(blocker=blocker))
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli.requests() == 0
    assert not (cli.home / "history").exists()  # no run was created
