{{ config(lake_table='hashtags', lake_partition_column='capture_date') }}
-- One row per hashtag per capture day: that day's latest snapshot.
with source as ({{ lake_table('hashtags') }})

select
    hashtag_id,
    hashtag_name,
    description,
    video_count,
    view_count,
    {{ capture_columns('tracked_hashtag') }}
from source
{{ latest_per(['hashtag_id', 'partition_date']) }}
