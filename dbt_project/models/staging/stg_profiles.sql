{{ config(lake_table='profiles', lake_partition_column='capture_date') }}
-- One row per account (sec_uid) per capture day: that day's latest profile snapshot.
with source as ({{ lake_table('profiles') }})

select
    {{ user_columns() }},
    bio_url,
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['sec_uid', 'partition_date']) }}
