-- One row per reply per capture day, with the top-level comment it answers.
with source as ({{ lake_table('comment_replies') }})

select
    {{ comment_columns() }},
    reply_to_cid as parent_comment_id,
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['cid', 'partition_date']) }}
