"""The shared state on a real PostgreSQL: the URL as users write it, exact budgets across processes,
and an exactly-once ledger export."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow.compute as pc

from tests.budget.spend_worker import spend_together
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.store import Lake
from tiktok_assets.scavio.types import LedgerEntry
from tiktok_assets.state.engine import describe, get_engine, resolve_url
from tiktok_assets.state.ledger import LedgerStore


def test_a_bare_postgresql_url_uses_psycopg2_and_never_shows_its_password():
    url = resolve_url("postgresql://state:s3cret-pw@db.internal:5432/tiktok")
    assert url == "postgresql+psycopg2://state:s3cret-pw@db.internal:5432/tiktok"  # psycopg 3 is not installed
    assert "s3cret-pw" not in describe(url) and "***" in describe(url)
    assert resolve_url("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"


def test_three_processes_four_threads_spend_a_daily_budget_exactly(postgres, simulator, api_key, tmp_path):
    """12 concurrent senders on 3 processes, daily budget 50 in PostgreSQL: exactly 50 charged."""
    url = postgres.url(postgres.create_database("budget"))
    budget = 50
    # separate state dirs: only TIKTOK_STATE_URL is shared
    results = spend_together(simulator.url, api_key, budget, 30, [tmp_path / f"state-{i}" for i in range(3)],
                             tmp_path / "go", env={"TIKTOK_STATE_URL": url})
    assert sum(r["spent"] for r in results) == budget
    assert simulator.stats()["charged"] == budget
    assert sum(r["refused"] for r in results) == 3 * 30 - budget


def test_an_export_cut_short_after_the_lake_write_is_not_counted_twice(postgres, tmp_path):
    """Rows claimed and written to the lake, then the exporter dies before marking them: the next
    export rewrites the same partition, so the lake holds each row once."""
    store = LedgerStore(get_engine(postgres.url(postgres.create_database("ledger"))))
    for i in range(5):
        store.append(LedgerEntry(endpoint="/api/v1/tiktok/profile", params_hash=f"h{i}", http_status=200,
                                 credits_used=1, credits_remaining=100 - i, latency_ms=2.0,
                                 requested_at=1_796_000_000.0 + i, asset="profiles", run_id="run-dead"))
    lake = Lake(str(tmp_path / "lake"))
    [batch] = store._claim()  # noqa: SLF001 - the first half of an export, as a dying pod leaves it
    day = datetime.fromtimestamp(1_796_000_000.0, tz=timezone.utc).date()
    lake.write_partition("credit_ledger", day, f"run-dead.profiles-{batch}",
                         ledger_rows(store._batch(batch), run_id="run-dead"))  # noqa: SLF001
    assert store.pending() == 5
    assert store.export_pending(lake, label="profiles") == 5
    assert store.pending() == 0 and store.export_pending(lake) == 0
    table = lake.read("credit_ledger", columns=["credits_used", "run_id"])
    assert table.num_rows == 5 and int(pc.sum(table["credits_used"]).as_py()) == 5


def test_an_unreachable_state_is_one_line_without_the_password_and_nothing_is_sent(simulator, api_key, monkeypatch):
    import pytest

    from tiktok_assets.scavio.client import ScavioClient
    from tiktok_assets.state.engine import StateUnavailableError

    monkeypatch.setenv("TIKTOK_STATE_URL", "postgresql://tiktok:hunter2-secret@127.0.0.1:1/state")
    with pytest.raises(StateUnavailableError) as err:
        ScavioClient(api_key, base_url=simulator.url)
    message = str(err.value)
    assert "\n" not in message and "hunter2-secret" not in message and api_key not in message
    assert message.startswith("shared state postgresql+psycopg2://tiktok:***@127.0.0.1:1/state")
    assert "Connection refused" in message
    monkeypatch.setenv("TIKTOK_STATE_URL", "not a url")
    with pytest.raises(StateUnavailableError, match="TIKTOK_STATE_URL is not a database URL"):
        ScavioClient(api_key, base_url=simulator.url)
    assert sum(simulator.stats()["requests"].values()) == 0


def test_a_ceiling_on_postgresql_state_waits_the_skew_margin_hosts_need(postgres):
    """Hosts sharing PostgreSQL compare each other's stamps, whose clocks differ: the ceiling's 4th
    send of 3 per 10 s waits the window plus max(20 ms, 2%) = 10.2 s, not the one-clock 10.001 s."""
    import pytest

    from tiktok_assets.scavio.ratelimit import SharedPacer, key_fingerprint

    now, slept = [1_800_000_000.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    url = postgres.url(postgres.create_database("pace_margin"))
    hosts = [SharedPacer(key_fingerprint("http://h", "sk_margin"), 3, 10.0, state_url=url,
                         clock=lambda: now[0], sleep=sleep) for _ in range(2)]
    assert not hosts[0].one_clock and hosts[0].margin == pytest.approx(0.2)
    for pacer in (hosts[0], hosts[1], hosts[0], hosts[1]):
        pacer.release(pacer.acquire())
    assert sum(slept) == pytest.approx(10.2)
