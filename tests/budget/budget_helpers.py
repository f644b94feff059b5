"""Ledger entry builders shared by the budget tests."""

from __future__ import annotations

from datetime import datetime, timezone

from tiktok_assets.scavio.types import LedgerEntry

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def entries(n: int, *, at: datetime = NOW, asset: str = "posts", entity: str = "chef_lina",
            partition: str | None = None, remaining_from: int = 1000, status: int = 200) -> list[LedgerEntry]:
    """``n`` one-credit requests, one second apart, starting at ``at``."""
    part = partition or at.date().isoformat()
    return [LedgerEntry(endpoint="/api/v1/tiktok/user/posts", params_hash=f"h{i}", http_status=status,
                        credits_used=1 if status == 200 else 0, credits_remaining=remaining_from - i - 1,
                        latency_ms=3.0, requested_at=at.timestamp() + i, asset=asset, partition=part, entity=entity)
            for i in range(n)]
