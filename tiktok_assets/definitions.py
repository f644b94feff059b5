"""``tiktok_assets.definitions:defs``: the code location ``dagster dev -w dagster_workspace.yaml`` loads.

Only wiring lives here; :mod:`tiktok_assets.wiring` says how the pieces are assembled and why.
"""

from .wiring import build_definitions

defs = build_definitions()
