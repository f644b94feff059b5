"""The CLI summary's credits are what was spent (the request ledger, the simulator's count), also for
an asset that failed part-way: at a 402, at the run's credit cap, and with a lake it cannot write."""

from __future__ import annotations

import re

import pytest

from tiktok_assets.assets.windows import today_utc

ROW = re.compile(r"^(?P<asset>[a-z_]+|\(no asset\))\s+(?P<status>.+?)\s+(?P<rows>\d+)\s+(?P<pages>\d+)\s+(?P<credits>\d+)\s+(?P<seconds>[\d.]+)(\s|$)")


def summary_rows(stdout: str) -> dict[str, dict[str, str]]:
    rows = {}
    for line in stdout.splitlines():
        m = ROW.match(line)
        if m and m["asset"] != "total" and m["asset"] != "asset":
            rows[m["asset"]] = m.groupdict()
    return rows


def ledger_by_asset(cli, monkeypatch, run_id: str) -> dict[str | None, int]:
    """The shared state's request ledger of ``run_id``, read the way every component reads it."""
    from tiktok_assets.budget.sensors import shared_ledger

    monkeypatch.setenv("TIKTOK_STATE_DIR", cli.env["TIKTOK_STATE_DIR"])
    monkeypatch.delenv("TIKTOK_STATE_URL", raising=False)
    out: dict[str | None, int] = {}
    for entry in shared_ledger().entries(run_id=run_id):
        out[entry.asset] = out.get(entry.asset, 0) + entry.credits_used
    return out


@pytest.mark.parametrize("limit", ["402", "run_cap", "unwritable_lake"])
def test_summary_credits_equal_the_ledger_when_an_asset_fails(cli, monkeypatch, limit: str) -> None:
    overrides = {}
    if limit == "402":
        cli.sim.set_credits(9)  # profiles (2) and posts fit; comments runs out part-way
    elif limit == "run_cap":
        overrides["TIKTOK_CREDIT_CAP_PER_RUN"] = "9"
    else:  # the lake's folder exists (the preflight accepts it) but each table's folder is a regular file:
        # every write fails, after the requests were paid (root ignores chmod)
        lake = cli.root / "blocked-lake"
        lake.mkdir()
        for table in ("profiles", "posts", "comments"):
            (lake / table).write_text("")
        overrides["TIKTOK_LAKE_URL"] = str(lake)
    cli.track(accounts=["chef_lina", "pixel_pets"])
    cli.home.mkdir()
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts,comments", "--no-dbt",
                   "--force", **overrides)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = summary_rows(proc.stdout)
    charged = cli.sim.stats()["charged"]
    assert charged == 9 if limit != "unwritable_lake" else charged > 0, cli.sim.stats()
    failed = [a for a, r in rows.items() if r["status"] in ("failed", "entity errors")]
    assert failed, rows
    # a failed asset spent credits; the summary must show them
    assert any(int(rows[a]["credits"]) > 0 for a in failed), rows
    if limit != "unwritable_lake":
        assert rows["comments"]["status"] == "failed" and int(rows["comments"]["credits"]) > 0, rows
    assert sum(int(r["credits"]) for r in rows.values()) == charged, (rows, charged)
    run_id = re.search(r"run ([0-9a-f-]{36}) finished", proc.stdout)[1]
    ledger = ledger_by_asset(cli, monkeypatch, run_id)
    assert sum(ledger.values()) == charged
    assert {a: int(r["credits"]) for a, r in rows.items() if int(r["credits"])} == {a or "(no asset)": c for a, c in ledger.items() if c}


def test_summary_seconds_run_from_the_family_steps_start_to_the_assets_last_materialization(cli, monkeypatch) -> None:
    """An asset's seconds in the summary, checked against Dagster's own step statistics of the run (the
    summary reads both ends from one read of the run's log)."""
    from dagster import DagsterEventType, DagsterInstance

    cli.track(accounts=["chef_lina", "pixel_pets"])
    cli.home.mkdir()
    proc = cli.run("materialize", "--date", today_utc().isoformat(), "--select", "profiles,posts,comments", "--no-dbt",
                   "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shown = {a: float(r["seconds"]) for a, r in summary_rows(proc.stdout).items()}
    match = re.search(r"^run (\S+) finished", proc.stdout, re.MULTILINE)
    assert match, proc.stdout
    monkeypatch.setenv("DAGSTER_HOME", str(cli.home))
    with DagsterInstance.get() as instance:
        starts = {s.step_key: s.start_time for s in instance.get_run_step_stats(match[1])}
        expected: dict[str, float] = {}
        for e in instance.all_logs(match[1], of_type=DagsterEventType.ASSET_MATERIALIZATION):
            name = e.dagster_event.asset_key.path[-1]
            expected[name] = max(expected.get(name, 0.0), e.timestamp - starts[e.step_key])
    assert set(expected) == {"profiles", "posts", "comments"}, expected
    for name, seconds in expected.items():
        assert shown[name] == pytest.approx(seconds, abs=0.011), (name, shown, expected)
        assert seconds > 0
