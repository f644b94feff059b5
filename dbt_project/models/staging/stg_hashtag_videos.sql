{{ config(lake_table='hashtag_videos', lake_partition_column='capture_date') }}
-- One row per (hashtag, video) per capture day.
-- Capture table: hashtag_videos is filed by capture day (the date= partition IS the UTC day of
-- captured_at): each partition is the hashtag's feed as observed that day, to the asset's max_pages
-- depth, in the API's order (engagement, not time). created_date is the video's own UTC creation
-- day, from create_time: the created-on-day view (fct_hashtag_daily.new_videos) groups on it.
with source as ({{ lake_table('hashtag_videos') }})

select
    hashtag_id,
    hashtag_name,
    {{ video_columns() }},
    tracked_entity as tracked_hashtag,
    {{ utc_day('create_time') }} as created_date,
    partition_date as capture_date,
    captured_at
from source
{{ latest_per(['hashtag_id', 'aweme_id', 'partition_date']) }}
