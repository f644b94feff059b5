"""A tracked file in an object store (``TIKTOK_TRACKED_FILE=s3://...``), so every pod reads one list."""

from __future__ import annotations

import pytest

from tests.inputs.conftest import assert_user_error
from tests.moto_s3 import moto_s3  # noqa: F401  (fixture)
from tiktok_assets.tracking import Tracked, TrackedFileError, load_tracked

TEAM = "# owned by data-eng\naccounts:\n  - chef_lina  # growth asked\nhashtags: []\nkeywords: []\n"


def test_track_untrack_and_load_through_s3(cli, moto_s3, monkeypatch) -> None:
    fs = moto_s3.filesystem()
    bucket = moto_s3.make_bucket()
    url = f"s3://{bucket}/config/tracked.yaml"
    fs.pipe_file(url, TEAM.encode())
    env = {"TIKTOK_TRACKED_FILE": url, "TIKTOK_S3_ENDPOINT_URL": moto_s3.endpoint_url,
           "AWS_ACCESS_KEY_ID": moto_s3.key, "AWS_SECRET_ACCESS_KEY": moto_s3.secret}
    proc = cli.run("track", "accounts", "urban_runner", "pixel_pets", **env)
    assert proc.returncode == 0, proc.stderr
    assert url in proc.stdout
    proc = cli.run("untrack", "accounts", "chef_lina", **env)
    assert proc.returncode == 0, proc.stderr
    text = fs.cat_file(url).decode()
    assert "# owned by data-eng" in text
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_tracked() == Tracked(("urban_runner", "pixel_pets"), (), ())


def test_missing_s3_tracked_file_names_the_url(cli, moto_s3, monkeypatch) -> None:
    bucket = moto_s3.make_bucket()
    url = f"s3://{bucket}/tracked.yaml"
    monkeypatch.setenv("TIKTOK_S3_ENDPOINT_URL", moto_s3.endpoint_url)
    monkeypatch.setenv("TIKTOK_TRACKED_FILE", url)
    with pytest.raises(TrackedFileError, match=f"^{url}: tracked file not found"):
        load_tracked()
    proc = cli.run("materialize", "--date", "2026-11-01", "--no-dbt", TIKTOK_TRACKED_FILE=url,
                   TIKTOK_S3_ENDPOINT_URL=moto_s3.endpoint_url)
    assert_user_error(proc, url, "tracked file not found")
    assert cli.requests() == 0
