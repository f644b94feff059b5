{{ config(lake_table='search_videos', lake_partition_column='created_date') }}
-- One row per (keyword, publish-time filter, video) per capture day. A video repeated across result
-- pages keeps its best (lowest) rank of the latest capture.
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date); the lake keeps every capture day's observation.
with source as ({{ lake_table('search_videos') }})

select
    keyword,
    publish_time_window,
    search_rank,
    {{ video_columns() }},
    {{ event_capture_columns('tracked_keyword') }}
from source
{{ latest_per(['keyword', "coalesce(publish_time_window, '')", 'aweme_id', utc_day('captured_at')], 'search_rank') }}
