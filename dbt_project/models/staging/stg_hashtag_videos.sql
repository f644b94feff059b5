-- One row per (hashtag, video) per capture day.
-- Event table: capture_date is the UTC day of captured_at (the partition is the creation day,
-- kept as created_date, and is replaced on every re-capture).
with source as ({{ lake_table('hashtag_videos') }})

select
    hashtag_id,
    hashtag_name,
    {{ video_columns() }},
    {{ event_capture_columns('tracked_hashtag') }}
from source
{{ latest_per(['hashtag_id', 'aweme_id', utc_day('captured_at')]) }}
