"""The dbt models as assets (their tests as asset checks), the dbt job and the automation sensor.

Not optional: when dbt cannot load, the code location fails with a message naming the fix
(:func:`tiktok_assets.wiring.load_dbt`), never a green "Loaded" with fewer assets.
"""

from dagster import Definitions, definitions

from tiktok_assets.wiring import dbt_definitions


@definitions
def dbt() -> Definitions:
    return dbt_definitions()
