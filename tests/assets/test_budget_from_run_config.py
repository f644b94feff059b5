"""What the launchpad shows is what the run enforces: the budget set in run config (the UI's
launchpad, or a schedule's run config) limits the run's requests, counted at the simulator."""

from __future__ import annotations

import pytest

from tiktok_assets.assets.windows import today_utc


@pytest.mark.parametrize("field, limit", [("daily_budget", 2), ("cap_per_run", 1)])
def test_budget_in_run_config_limits_the_run(pipeline, field: str, limit: int) -> None:
    result = pipeline.run(("profiles",), today_utc(),
                          run_config={"resources": {"budget": {"config": {field: limit}}}})
    assert pipeline.sim.stats()["charged"] == limit  # three accounts tracked: the budget stopped the rest
    # the step fails (the budget is spent), naming the budget; what was paid for is kept, not dropped
    assert not result.success
    [failure] = result.get_step_failure_events()
    text = failure.step_failure_data.user_failure_data.description
    assert "BudgetExceededError" in text and "Partitions already committed stay intact" in text
    captured = {k for _d, k in pipeline.lake.partitions("profiles")}
    assert len(captured) == limit and all(f"{k}" in text for k in captured)
