{{ config(lake_table='comments', lake_partition_column='created_date') }}
-- One row per top-level comment per capture day.
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date); the lake keeps every capture day's observation.
with source as ({{ lake_table('comments') }})

select
    {{ comment_columns() }},
    {{ event_capture_columns('tracked_account') }}
from source
{{ latest_per(['cid', utc_day('captured_at')]) }}
