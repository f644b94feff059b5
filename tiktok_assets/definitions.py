"""``tiktok_assets.definitions:defs``: the code location (``make dev``, ``dagster_workspace.yaml``, ``dg dev``).

Only loading lives here: every definition is in ``tiktok_assets/defs/``, one folder per concern
(see ``tiktok_assets/defs/__init__.py``), found by ``load_from_defs_folder`` from ``[tool.dg]`` in
``pyproject.toml``.
"""

from pathlib import Path

from dagster import load_from_defs_folder

defs = load_from_defs_folder(path_within_project=Path(__file__).resolve().parent)
