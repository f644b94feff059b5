{{ config(lake_table='posts', lake_partition_column='created_date') }}
-- One row per video per capture day, from the tracked accounts' post lists.
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date); the lake keeps every capture day's observation.
with source as ({{ lake_table('posts') }})

select
    {{ video_columns() }},
    {{ event_capture_columns('tracked_account') }}
from source
{{ latest_per(['aweme_id', utc_day('captured_at')]) }}
