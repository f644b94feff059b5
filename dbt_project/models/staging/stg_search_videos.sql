-- One row per (keyword, publish-time filter, video) per capture day. A video repeated across result
-- pages keeps its best (lowest) rank of the latest capture.
with source as ({{ lake_table('search_videos') }})

select
    keyword,
    publish_time_window,
    search_rank,
    {{ video_columns() }},
    {{ capture_columns('tracked_keyword') }}
from source
{{ latest_per(['keyword', "coalesce(publish_time_window, '')", 'aweme_id', 'partition_date'], 'search_rank') }}
