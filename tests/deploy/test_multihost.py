"""Runs spread over machines keep every guarantee: pace, budget, ledger.

Two or more ``tiktok-assets materialize`` processes with separate ``TIKTOK_STATE_DIR``,
``DAGSTER_HOME`` and working directories. ``postgresql``: they share only ``TIKTOK_STATE_URL`` and the
Dagster instance database (the shipped ``docs/deploy/dagster.yaml``, on a real PostgreSQL) and the S3
lake (moto). ``sqlite``: the single-machine layout, one shared ``TIKTOK_STATE_DIR`` instead. The
simulator enforces a per-key limit; requests, 429s and credits are counted there.
"""

from __future__ import annotations

import math
import time

import pyarrow.compute as pc
import pytest

from tests.deploy.hosts import DEPLOY_YAML, Deployment, accounts
from tiktok_assets.lake.store import Lake

LIMIT, WINDOW = 10, 2.0  # the server's limit: 10 requests per 2 s per key (300/min, 30x the client default)
BACKENDS = ["postgresql", "sqlite"]
ACCOUNTS = 60  # generated simulator accounts (creator_0001..creator_0060)


@pytest.fixture(params=BACKENDS)
def deployment(request, tmp_path, moto_s3, s3_bucket, api_key):
    """A deployment's shared parts, minus the API (each test starts its own simulator)."""
    shared = {"SCAVIO_API_KEY": api_key, "TIKTOK_LAKE_URL": f"s3://{s3_bucket}/lake",
              "TIKTOK_S3_ENDPOINT_URL": moto_s3.endpoint_url, "AWS_ACCESS_KEY_ID": moto_s3.key,
              "AWS_SECRET_ACCESS_KEY": moto_s3.secret, "AWS_DEFAULT_REGION": "us-east-1",
              "SCAVIO_MAX_CONCURRENCY": "4", "TIKTOK_LOG_LEVEL": "WARNING"}
    if request.param == "sqlite":
        shared["TIKTOK_STATE_DIR"] = str(tmp_path / "shared-state")
        yield Deployment(tmp_path, shared)
        return
    pg = request.getfixturevalue("postgres")
    state_db, dagster_db = pg.create_database("state"), pg.create_database("dagster")
    shared.update(TIKTOK_STATE_URL=pg.url(state_db),  # a bare postgresql:// URL, as a user writes it
                  DAGSTER_PG_HOST=pg.host, DAGSTER_PG_PORT=str(pg.port), DAGSTER_PG_DB=dagster_db,
                  DAGSTER_PG_USER=pg.user, DAGSTER_PG_PASSWORD=pg.password or "trust-auth-ignores-it")
    dep = Deployment(tmp_path, shared, dagster_yaml=DEPLOY_YAML.read_text())
    dep.dagster("instance", "migrate")  # once per deployment, as the guide says
    dep.dagster("instance", "concurrency", "set", "scavio_api", "4")  # the shipped default_limit is 1
    yield dep


def lake_ledger_credits(dep: Deployment) -> int:
    lake = Lake(dep.shared["TIKTOK_LAKE_URL"], dep.shared["TIKTOK_S3_ENDPOINT_URL"])
    table = lake.read("credit_ledger", columns=["credits_used"])
    return int(pc.sum(table["credits_used"]).as_py() or 0) if table.num_rows else 0


def requests_of(sim, names: list[str]) -> list[float]:
    wanted = set(names)
    return sorted(t for t, _path, _status, params in sim.request_log if params.get("username") in wanted)


def test_hosts_share_the_servers_pace(deployment, simulator_factory):
    """No 429 at the limit; the combined wall time stays within 1.10x requests / rate. The server's
    announced 10 per 2 s is 30x the client's default pace, and it is the pace used (SCAVIO_RATE_LIMIT unset)."""
    sim = simulator_factory(rate_limit=LIMIT, rate_window=WINDOW, n_generated_accounts=ACCOUNTS)
    deployment.shared["SCAVIO_BASE_URL"] = sim.url
    a_names, b_names = accounts(1, 30), accounts(31, 30)
    a = deployment.host("a", a_names).materialize("--select", "profiles")
    b = deployment.host("b", b_names).materialize("--select", "profiles")
    assert a.wait() == 0, a.output
    assert b.wait() == 0, b.output
    stats = sim.stats()
    assert stats["status"] == {200: 60}, stats["status"]  # zero 429s
    assert stats["charged"] == 60
    times = sorted(t for t, *_ in sim.request_log)
    span = times[-1] - times[0]
    bound = 1.10 * len(times) / (LIMIT / WINDOW)
    print(f"{deployment.shared.get('TIKTOK_STATE_URL', 'sqlite')[:10]}: 60 requests over 2 hosts in {span:.2f}s "
          f"(bound {bound:.2f}s; the default 10/min pace would need 360 s)")
    assert span <= bound
    ta, tb = requests_of(sim, a_names), requests_of(sim, b_names)
    assert len(ta) == len(tb) == 30 and min(ta[-1], tb[-1]) > max(ta[0], tb[0])  # they really overlapped
    assert lake_ledger_credits(deployment) == 60
    if deployment.dagster_yaml is not None:  # both runs are in the one PostgreSQL instance, as successes
        assert deployment.run_statuses() == ["SUCCESS", "SUCCESS"]


def test_a_shared_daily_budget_holds_over_all_hosts(deployment, simulator_factory):
    """Daily budget 20, each host wants 30 and runs with --force: 20 credits charged in total."""
    sim = simulator_factory(n_generated_accounts=ACCOUNTS)
    deployment.shared.update(SCAVIO_BASE_URL=sim.url, TIKTOK_CREDIT_BUDGET_DAILY="20")
    hosts = [deployment.host(name, accounts(1 + 30 * i, 30)).materialize("--select", "profiles", "--force")
             for i, name in enumerate(("a", "b"))]
    for host in hosts:
        host.wait()
        assert "daily credit budget exhausted" in host.output, host.output
        assert deployment.shared["SCAVIO_API_KEY"] not in host.output
    assert sim.stats()["charged"] == 20
    assert lake_ledger_credits(deployment) == 20


def test_a_host_killed_mid_run_loses_no_ledger_row(deployment, simulator_factory):
    """SIGKILL one host after 15 credits, rerun the work on a fresh host: the lake's credit_ledger sums
    exactly what the simulator charged (the dead host's rows come from the shared state)."""
    sim = simulator_factory(rate_limit=LIMIT, rate_window=WINDOW, n_generated_accounts=ACCOUNTS)
    deployment.shared["SCAVIO_BASE_URL"] = sim.url
    names = accounts(1, 40)
    doomed = deployment.host("doomed", names).materialize("--select", "profiles")
    deadline = time.time() + 120
    while time.time() < deadline:
        # Kill once 15+ are charged and the server's current window is used up: the host then waits
        # for the reset with nothing in flight (a request in flight at a kill is charged by the server
        # but never answered; no client can record it, see docs/deploy/README.md).
        now = time.time()
        start = math.floor(now / WINDOW) * WINDOW
        in_window = sum(1 for t, *_ in sim.request_log if t >= start)
        if sim.stats()["charged"] >= 15 and in_window >= LIMIT and start + WINDOW - now > 0.6:
            time.sleep(0.2)  # the last answer of the window reaches the host's ledger
            break
        time.sleep(0.02)
    assert doomed.proc is not None and doomed.proc.poll() is None, "the host finished before it could be killed"
    doomed.kill()
    killed_at = sim.stats()["charged"]
    assert 15 <= killed_at < 40
    fresh = deployment.host("fresh", names).materialize("--select", "profiles")
    assert fresh.wait() == 0, fresh.output
    charged = sim.stats()["charged"]
    assert charged == killed_at + 40
    assert lake_ledger_credits(deployment) == charged
