-- One row per video per capture day, from the tracked accounts' post lists.
with source as ({{ lake_table('posts') }})

select
    {{ video_columns() }},
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['aweme_id', 'partition_date']) }}
