"""A real S3 endpoint for tests: moto's ThreadedMotoServer on loopback, reached over HTTP by s3fs.

Reusable from any test folder. In a conftest.py::

    from tests.moto_s3 import moto_s3, s3_bucket  # noqa: F401  (fixtures)

or as a plugin from the root conftest: ``pytest_plugins = ["tests.moto_s3"]``.

Why a server rather than ``mock_aws``: s3fs talks aiobotocore over real HTTP, which the in-process
mock does not intercept; DuckDB and dbt also need a real endpoint.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from typing import Iterator

import pytest

ACCESS_KEY = "testing"
SECRET_KEY = "testing"


@dataclass(frozen=True)
class MotoS3:
    """Connection facts of a running moto server."""

    endpoint_url: str
    key: str = ACCESS_KEY
    secret: str = SECRET_KEY

    def filesystem(self):
        """A fresh s3fs filesystem for this endpoint (no instance or listing cache)."""
        import s3fs

        return s3fs.S3FileSystem(key=self.key, secret=self.secret, client_kwargs={"endpoint_url": self.endpoint_url},
                                 skip_instance_cache=True, use_listings_cache=False)

    def make_bucket(self, name: str | None = None) -> str:
        """Create a uniquely named bucket (or ``name``) and return its name."""
        bucket = name or f"lake-{uuid.uuid4().hex[:12]}"
        self.filesystem().mkdir(bucket)
        return bucket


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens (connection refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3]:
    """One moto S3 server per test session; sets the AWS env vars tests' code may read."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    mp.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield MotoS3(endpoint_url=f"http://{host}:{port}")
    finally:
        mp.undo()
        server.stop()


@pytest.fixture
def s3_bucket(moto_s3: MotoS3) -> str:
    """A fresh empty bucket per test."""
    return moto_s3.make_bucket()
