{{ config(lake_table='videos', lake_partition_column='created_date') }}
-- One row per video per capture day, from the video-detail stream (whichever source found it).
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date); the lake keeps every capture day's observation.
with source as ({{ lake_table('videos') }})

select
    {{ video_columns() }},
    play_url,
    download_url,
    video_width,
    video_height,
    hashtags,
    mentions,
    discovered_via,
    {{ event_capture_columns('discovery_source') }}
from source
{{ latest_per(['aweme_id', utc_day('captured_at')]) }}
