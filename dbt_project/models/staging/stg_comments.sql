-- One row per top-level comment per capture day.
with source as ({{ lake_table('comments') }})

select
    {{ comment_columns() }},
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['cid', 'partition_date']) }}
