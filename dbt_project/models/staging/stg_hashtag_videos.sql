-- One row per (hashtag, video) per capture day.
with source as ({{ lake_table('hashtag_videos') }})

select
    hashtag_id,
    hashtag_name,
    {{ video_columns() }},
    {{ capture_columns('tracked_hashtag') }}
from source
{{ latest_per(['hashtag_id', 'aweme_id', 'partition_date']) }}
