"""Fixtures of the budget tests: a local lake and an isolated state dir."""

from __future__ import annotations

import pytest

from tiktok_assets.lake.store import Lake


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"))


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """Every test gets its own shared state (state.sqlite) and no budget variables from the outer environment."""
    monkeypatch.setenv("TIKTOK_STATE_DIR", str(tmp_path / "state"))
    for name in ("TIKTOK_CREDIT_BUDGET_DAILY", "TIKTOK_CREDIT_BUDGET_MONTHLY", "TIKTOK_CREDIT_CAP_PER_RUN",
                 "TIKTOK_CREDIT_WARN_RATIO", "TIKTOK_CREDIT_LOW_BALANCE", "TIKTOK_BILLING_CYCLE_DAY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "state"

