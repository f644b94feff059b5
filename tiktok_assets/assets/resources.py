"""The resource types the assets take (one import site, so the assets do not care where they live)."""

from __future__ import annotations

from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource

__all__ = ["BudgetResource", "LakeResource", "ScavioResource"]
