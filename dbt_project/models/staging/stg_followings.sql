{{ config(lake_table='followings', lake_partition_column='capture_date') }}
-- One row per (tracked account, followed account) per capture day. The user_* columns describe the
-- account the owner follows.
with source as ({{ lake_table('followings') }})

select
    owner_sec_uid,
    owner_unique_id as owner_username,
    {{ user_columns() }},
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['owner_sec_uid', 'sec_uid', 'partition_date']) }}
