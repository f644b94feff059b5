"""dbt over the lake: the DbtProject handle, the translator, the @dbt_assets and CLI helpers.

Import ``tiktok_assets.dbt.runner`` for the CLI (no manifest needed) and ``tiktok_assets.dbt.assets``
for Dagster definitions (the manifest is prepared at install; see ``dbt/prepare.py``).
"""

import warnings

# dagster-dbt 0.29.27 requires ``sqlglot[rs]``, whose ``sqlglotrs`` module warns on import that it is
# deprecated. It is a dependency's dependency we cannot drop; silence exactly that message so that
# ``python -W error::DeprecationWarning -c 'import tiktok_assets.definitions'`` checks *our* code.
warnings.filterwarnings("ignore", message=r"sqlglotrs is deprecated", category=DeprecationWarning)
