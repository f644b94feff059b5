"""dbt over the lake: the DbtProject handle, the translator, the @dbt_assets and CLI helpers.

Import ``tiktok_assets.dbt.runner`` for the CLI (no manifest needed) and ``tiktok_assets.dbt.assets``
for Dagster definitions (builds the manifest with ``dbt parse`` if it is missing).
"""
