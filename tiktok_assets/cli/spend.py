"""What one run spent, per asset, as the request ledger records it.

Why the summary reads the ledger and not the assets' metadata: a step that fails (a 402, the run's
credit cap, a lake it cannot write) reports no materialization, or only what it counted before the
error, while every request it sent is in the ledger. The shared state records each request when its
answer arrives (:mod:`tiktok_assets.state.ledger`), so this holds even when the lake could not be
written. The summary's credits must equal the ledger's, so they come from there, through this one
function: if the ledger moves again, only :func:`run_spend` changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spend:
    pages: int = 0  # charged requests
    credits: int = 0


def run_spend(run_id: str) -> dict[str | None, Spend]:
    """``asset -> Spend`` of every ledger row of ``run_id`` (``None``: requests no asset claimed)."""
    from ..budget.sensors import shared_ledger

    return {asset: Spend(pages, credits) for asset, (pages, credits) in shared_ledger().spend_by_asset(run_id).items()}
