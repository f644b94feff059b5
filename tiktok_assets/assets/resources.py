"""The two resource types the assets take (one import site, so the assets do not care where they live)."""

from __future__ import annotations

from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource

__all__ = ["LakeResource", "ScavioResource"]
