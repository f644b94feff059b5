"""Fixtures of the lake tests: the shared moto S3 server, and a per-test S3 lake URL."""

from __future__ import annotations

import pytest

from tests.moto_s3 import MotoS3, moto_s3, s3_bucket  # noqa: F401  (re-exported fixtures)
from tiktok_assets.lake.store import Lake


@pytest.fixture
def local_lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture
def s3_lake(moto_s3: MotoS3, s3_bucket: str) -> Lake:  # noqa: F811
    return Lake(f"s3://{s3_bucket}/lake", moto_s3.endpoint_url,
                aws_access_key_id=moto_s3.key, aws_secret_access_key=moto_s3.secret)


@pytest.fixture(params=["local", "s3"])
def any_lake(request) -> Lake:
    """The same test against a local folder and against the moto S3 server."""
    return request.getfixturevalue(f"{request.param}_lake")
