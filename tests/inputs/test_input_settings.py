"""A setting every request or write would fail on is one line naming its variable, before the run
exists: exit 2, nothing sent, no run recorded. These used to fail inside the run's first step (70-80
lines of Dagster step failure for a client setting; a traceback for an impossible state folder or
DAGSTER_HOME, or for an S3 lake that does not answer; one lake write error per asset, after every
request was paid for, for an impossible lake folder)."""

from __future__ import annotations

import pytest

from tests.inputs.conftest import assert_user_error
from tests.moto_s3 import closed_port_url
from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize(("var", "value", "fragment"), [
    ("SCAVIO_MAX_CONCURRENCY", "0", "SCAVIO_MAX_CONCURRENCY='0': max_concurrency must be between 1 and 256"),
    ("SCAVIO_RATE_WINDOW_SECONDS", "-1", "SCAVIO_RATE_WINDOW_SECONDS='-1': rate_window_seconds must be > 0 seconds"),
    ("SCAVIO_BASE_URL", "api.scavio.dev", "SCAVIO_BASE_URL='api.scavio.dev': base_url must be an http(s) URL"),
    ("TIKTOK_STATE_DIR", "{blocker}/state", "state folder {blocker}/state (TIKTOK_STATE_DIR) cannot be created: Not a directory"),
    ("TIKTOK_LAKE_URL", "{blocker}/lake", "lake {blocker}/lake is unreachable: [Errno 20] Not a directory"),
    ("DAGSTER_HOME", "{blocker}", "DAGSTER_HOME {blocker} cannot hold the Dagster instance: File exists"),
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


def test_an_unreachable_object_store_lake_is_one_line_before_the_run(cli) -> None:
    """An S3 lake whose endpoint does not answer: ``materialize`` (also with ``--force``, which skips
    the estimate's read of the lake) and ``estimate`` each say so in one line, naming the lake, the
    endpoint and the innermost cause; nothing is sent."""
    endpoint = closed_port_url()
    store = {"TIKTOK_LAKE_URL": "s3://tiktok-lake/lake", "TIKTOK_S3_ENDPOINT_URL": endpoint,
             "AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1",
             "TIKTOK_LAKE_TIMEOUT_SECONDS": "3"}
    day = today_utc().isoformat()
    for args in (("materialize", "--date", day, "--select", "profiles", "--no-dbt", "--force"),
                 ("estimate", "--date", day)):
        proc = cli.run(*args, **store)
        line = assert_user_error(proc, f"lake s3://tiktok-lake/lake (endpoint {endpoint}) is unreachable")
        assert "Connection refused" in line or "Could not connect" in line, line
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli.requests() == 0
    assert not (cli.home / "history").exists()
