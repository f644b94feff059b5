{{ config(lake_table='comment_replies', lake_partition_column='created_date') }}
-- One row per reply per capture day, with the top-level comment it answers.
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date); the lake keeps every capture day's observation.
with source as ({{ lake_table('comment_replies') }})

select
    {{ comment_columns() }},
    reply_to_cid as parent_comment_id,
    {{ event_capture_columns('tracked_account') }}
from source
{{ latest_per(['cid', utc_day('captured_at')]) }}
