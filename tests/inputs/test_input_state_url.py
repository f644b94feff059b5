"""An unreachable shared state (TIKTOK_STATE_URL) is one line naming it, with the password masked, and
nothing is sent: the pace and the budget live there."""

from __future__ import annotations

from tests.inputs.conftest import assert_user_error
from tests.moto_s3 import closed_port_url
from tiktok_assets.assets.windows import today_utc


def test_unreachable_state_database_is_one_line_and_sends_nothing(cli) -> None:
    port = closed_port_url().rsplit(":", 1)[1]
    url = f"postgresql://tiktok:s3cret-pw@127.0.0.1:{port}/state"
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "posts", TIKTOK_STATE_URL=url)
    assert_user_error(proc, "TIKTOK_STATE_URL", f"127.0.0.1:{port}/state", "unavailable")
    assert "s3cret-pw" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli.requests() == 0


def test_malformed_state_url_is_one_line(cli) -> None:
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "posts",
                   TIKTOK_STATE_URL="not a url at all")
    assert_user_error(proc, "TIKTOK_STATE_URL is not a database URL")
    assert cli.requests() == 0
