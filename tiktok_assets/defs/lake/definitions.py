"""The lake's own upkeep (compaction and vacuum) and the two tables every run appends to."""

from dagster import Definitions, definitions

from tiktok_assets.assets.maintenance import lake_maintenance, lake_maintenance_schedule
from tiktok_assets.assets.record_tables import record_table_specs


@definitions
def lake() -> Definitions:
    return Definitions(assets=[lake_maintenance, *record_table_specs], schedules=[lake_maintenance_schedule])
