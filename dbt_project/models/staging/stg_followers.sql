{{ config(lake_table='followers', lake_partition_column='capture_date') }}
-- One row per (tracked account, follower) per capture day. The user_* columns describe the follower.
with source as ({{ lake_table('followers') }})

select
    owner_sec_uid,
    owner_unique_id as owner_username,
    {{ user_columns() }},
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['owner_sec_uid', 'sec_uid', 'partition_date']) }}
