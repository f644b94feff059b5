"""``benchmarks/dagster_run.phases``: ours' wall time split at its Dagster events and the simulator's
first and last request. Pure: a timeline dict as ``dagster_run.timeline`` returns it."""

from __future__ import annotations

import pytest

from benchmarks.dagster_run import phases, planned_events

T = 1_000_000.0  # any epoch; every boundary below is T + seconds
RUN = {"first_event": T + 1.2, "run_start": T + 3.8, "run_end": T + 44.7,
       "steps": {"tiktok_snapshots": {"start": T + 3.9, "end": T + 12.0},
                 "tiktok_events": {"start": T + 12.01, "end": T + 43.2},
                 "tiktok_snapshots_checks": {"start": T + 43.21, "end": T + 43.8},
                 "tiktok_events_checks": {"start": T + 43.81, "end": T + 44.6}},
       "events": {"ASSET_MATERIALIZATION_PLANNED": 126, "ASSET_CHECK_EVALUATION_PLANNED": 40, "ASSET_MATERIALIZATION": 126}}


def test_phases_are_consecutive_and_sum_to_the_wall() -> None:
    got = phases(RUN, T, 45.0, first_request=T + 4.0, last_request=T + 41.0)
    assert [k for k, _label, _s in got] == ["instance", "planned", "startup", "setup", "span", "tail",
                                             "between", "checks", "between", "checks", "run_end", "cli"]
    seconds = dict((label, s) for _k, label, s in got)
    assert sum(seconds.values()) == pytest.approx(45.0)
    assert seconds["first to last request"] == pytest.approx(37.0)
    assert seconds["step `tiktok_events` after the last request (its last commits, their checks and materialization events)"] == pytest.approx(2.2)
    assert seconds["step `tiktok_events_checks`"] == pytest.approx(0.79)
    assert next(s for k, _l, s in got if k == "planned") == pytest.approx(2.6)
    assert "166 planned materializations and checks" in got[1][1] and planned_events(RUN) == 166
    # the step boundary between the snapshot and the events step lies inside the span: not split out
    assert not any("before `tiktok_events`" in label for _k, label, _s in got)
    assert got[3][1] == "step `tiktok_snapshots` up to its first request (the assets' set-up)"


def test_a_run_without_its_events_gives_no_phases() -> None:
    assert phases({}, T, 45.0, T + 4.0, T + 41.0) == []
    assert phases({**RUN, "run_end": None}, T, 45.0, T + 4.0, T + 41.0) == []
