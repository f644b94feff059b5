"""The fast tier: pure functions and in-memory stand-ins, no servers (no simulator, no moto, no dbt build,
no Dagster instance), a few seconds in all. ``make test-fast`` or ``pytest -m unit tests/unit``.

Every test here is marked ``unit`` by ``tests/conftest.py`` (by folder); the fixtures that start a server
are overridden below so a test that asks for one fails at once instead of quietly making the tier slow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

SERVER_FIXTURES = "the fast tier (tests/unit) starts no server; move this test to an integration folder"


@pytest.fixture
def simulator_factory():  # noqa: D103 - overrides tests/conftest.py
    pytest.fail(SERVER_FIXTURES)


@pytest.fixture
def simulator():  # noqa: D103
    pytest.fail(SERVER_FIXTURES)


@pytest.fixture
def scavio_env():  # noqa: D103
    pytest.fail(SERVER_FIXTURES)


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    """The shared-state schema in an in-memory SQLite database, configured like the real one
    (``BEGIN IMMEDIATE`` writes), private to one test."""
    from tiktok_assets.state.engine import _configure_sqlite
    from tiktok_assets.state.tables import metadata

    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    _configure_sqlite(engine)
    with engine.begin() as conn:
        metadata.create_all(conn)
    yield engine
    engine.dispose()
