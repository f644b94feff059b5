"""Completeness against a server that takes the adversarial side wherever the reference is silent.

Why a separate suite: the other suites run against the simulator's defaults, and a simulator that
shares the client's assumptions agrees with its bugs. Here every list is served in an order the
reference allows but the client would not like (``simulator.config.ADVERSARIAL``: hashtag feeds and
comments and replies by likes, search by relevance, a seeded ``user/posts`` cursor ignored), and each
test compares the lake's ids with the universe's truth and counts requests at the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.assets.conftest import make_pipeline  # noqa: F401  (fixture)
from tiktok_assets.simulator import SimulatorServer
from tiktok_assets.simulator.config import ADVERSARIAL
from tiktok_assets.simulator.universe import API_PREFIX


@pytest.fixture
def adversarial_simulator(simulator_factory: Callable[..., SimulatorServer]) -> SimulatorServer:
    return simulator_factory(**ADVERSARIAL)


@pytest.fixture
def adversarial_pipeline(make_pipeline, adversarial_simulator):  # noqa: F811
    return make_pipeline(adversarial_simulator)


def admin_stats(sim: SimulatorServer) -> dict[str, Any]:
    """The simulator's own counters, over HTTP like any client would read them."""
    return httpx.get(sim.url + "/_admin/stats").json()


def requests_to(sim: SimulatorServer, endpoint: str) -> int:
    """Requests the simulator answered on ``endpoint`` (e.g. "hashtag/videos"), from /_admin/stats."""
    return admin_stats(sim)["requests"].get(API_PREFIX + endpoint, 0)


def sent(sim: SimulatorServer, endpoint: str) -> list[dict[str, Any]]:
    """The JSON bodies of the 200 answers on ``endpoint``, in order (the simulator's request log)."""
    return [params for _t, path, status, params in sim.request_log if path == API_PREFIX + endpoint and status == 200]


def served(sim: SimulatorServer, endpoint: str, handler: str, **where: str) -> list[dict[str, Any]]:
    """Every item the simulator served on ``endpoint``: each logged request replayed on its handler
    (answers are a pure function of the request), so the oracle is the server, not our client.
    ``where``: only requests with these parameter values (e.g. ``hashtag_id="123"``)."""
    key = {"hashtag_videos": "aweme_list", "search_videos": "aweme_list", "user_posts": "aweme_list",
           "comments": "comments", "replies": "comments"}[handler]
    out: list[dict[str, Any]] = []
    for params in sent(sim, endpoint):
        if any(str(params.get(k)) != v for k, v in where.items()):
            continue
        out += getattr(sim.endpoints, handler)(dict(params))[key]
    return out


def notes_of(md: dict[str, Any]) -> dict[str, str]:
    """entity -> its notes, from a materialization's ``entities`` table."""
    return {r.data["entity"]: r.data["notes"] for r in md["entities"].records}


def range_metadata(result: Any, name: str) -> dict[str, Any]:
    """The metadata of ``name`` in a run over a range (one materialization per day, the same metadata)."""
    mats = [e.materialization for e in result.get_asset_materialization_events()
            if e.materialization.asset_key.path == ["tiktok", name]]
    assert mats, f"{name}: no materialization"
    return {k: v.value for k, v in mats[0].metadata.items()}
