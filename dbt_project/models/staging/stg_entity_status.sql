{{ config(lake_table='entity_status', lake_partition_column='status_date') }}
-- One row per asset run and tracked entity: how its capture went (see tiktok_assets/assets/status.py).
with source as ({{ lake_table('entity_status') }})

select
    asset,
    tracked_entity,
    status,
    detail,
    rows as rows_captured,
    window_start,
    window_end,
    run_id,
    captured_at,
    partition_date as status_date
from source
