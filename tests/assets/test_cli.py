"""`tiktok-assets track|untrack|materialize` through the real dispatcher (main(argv))."""

from __future__ import annotations

from datetime import timedelta

import yaml

from tiktok_assets.assets.windows import today_utc
from tiktok_assets.cli.main import main


def test_track_untrack(tmp_path, capsys) -> None:
    f = tmp_path / "t.yaml"
    assert main(["track", "accounts", "chef_lina", "@pixel_pets", "--file", str(f)]) == 0
    assert main(["track", "keywords", "東京 ramen 🍜", "--file", str(f)]) == 0
    assert main(["untrack", "accounts", "chef_lina", "--file", str(f)]) == 0
    assert yaml.safe_load(f.read_text(encoding="utf-8")) == {"accounts": ["pixel_pets"], "hashtags": [], "keywords": ["東京 ramen 🍜"]}
    assert main(["track", "keywords", "x" * 501, "--file", str(f)]) == 2
    assert "1-500" in capsys.readouterr().err


def test_materialize_today_summary_and_failure_exit(pipeline, tmp_path, monkeypatch, capsys) -> None:
    from dagster import DagsterInstance

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    pipeline.track(accounts=["chef_lina", "gone_creator"])
    today = today_utc().isoformat()
    code = main(["materialize", "--date", today, "--select", "profiles,posts", "--no-dbt"])
    out = capsys.readouterr().out
    assert code == 1
    lines = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in ("profiles", "posts")}
    assert "entity errors" in lines["profiles"] and "gone_creator" in lines["profiles"]
    assert lines["profiles"].split()[3] == "1"  # rows: chef_lina only
    assert len(DagsterInstance.get().get_runs()) == 1
    pipeline.track(accounts=["chef_lina"])
    assert main(["materialize", "--date", today, "--select", "profiles", "--no-dbt"]) == 0


def test_materialize_range_to_today_takes_snapshots_in_the_same_run(pipeline, tmp_path, monkeypatch, capsys) -> None:
    """A first load of the last days is one command and one run: the snapshots captured now, the
    events over the range, with no notice and no second run."""
    from dagster import DagsterEventType, DagsterInstance

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    pipeline.track(accounts=["pixel_pets"])
    today = today_utc()
    code = main(["materialize", "--date", (today - timedelta(days=2)).isoformat(), "--end-date", today.isoformat(), "--no-dbt"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "skipped" not in out
    assert pipeline.lake.partitions("profiles") == [(today, "pixel_pets")]
    assert {d for d, _k in pipeline.lake.partitions("posts")} <= {today - timedelta(days=i) for i in range(3)}
    runs = DagsterInstance.get().get_runs()
    assert len(runs) == 1
    # the events family runs right after the snapshots; the table checks run inside the family steps
    instance = DagsterInstance.get()
    steps = sorted(instance.get_run_step_stats(runs[0].run_id), key=lambda st: st.start_time)
    assert [st.step_key for st in steps] == ["tiktok_snapshots", "tiktok_events"], [st.step_key for st in steps]
    evaluations = [e.dagster_event.event_specific_data
                   for e in instance.all_logs(runs[0].run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)]
    evaluated = {(ev.asset_key.path[-1], ev.check_name) for ev in evaluations}
    # the band check saw this run's own ledger rows: it ran after its asset flushed them
    band = {ev.asset_key.path[-1]: ev.metadata["run_id"].value for ev in evaluations
            if ev.check_name == "credits_within_history_band"}
    assert band["posts"] == band["profiles"] == runs[0].run_id, band
    for name in ("profiles", "posts", "comment_replies", "videos"):
        assert {(name, "entities_ok"), (name, "credits_within_history_band"), (name, "schema_drift")} <= evaluated, name
    assert ("profiles", "entities_fresh") in evaluated and ("videos", "entities_fresh") not in evaluated
    # the profile request was sent once, before the posts that need its sec_uid
    endpoints = [entry[1].rsplit("/api/v1/tiktok/", 1)[-1] for entry in pipeline.sim.request_log]
    assert endpoints.count("profile") == 1 and endpoints.index("profile") < endpoints.index("user/posts")


def test_materialize_past_range_skips_snapshots(pipeline, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    pipeline.track(accounts=["pixel_pets"])
    d2 = today_utc() - timedelta(days=1)
    code = main(["materialize", "--date", (d2 - timedelta(days=2)).isoformat(), "--end-date", d2.isoformat(), "--no-dbt"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "snapshot assets" in out and "skipped" in out
    assert pipeline.lake.partitions("profiles") == []
    assert len({d for d, _k in pipeline.lake.partitions("posts")}) == 3
    # the summary counts a single-run range once, not once per day: its credits == what the simulator charged
    total_line = next(line for line in out.splitlines() if line.split() and line.split()[0] == "total")
    charged = pipeline.sim.stats()["charged"]
    assert charged >= 2 and int(total_line.split()[3]) == charged, (total_line, charged)
