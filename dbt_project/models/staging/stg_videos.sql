-- One row per video per capture day, from the video-detail stream (whichever source found it).
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
    {{ capture_columns('discovery_source') }}
from source
{{ latest_per(['aweme_id', 'partition_date']) }}
