{{ config(lake_table='search_users', lake_partition_column='capture_date') }}
-- One row per (keyword, user) per capture day; a repeated user keeps its best rank.
with source as ({{ lake_table('search_users') }})

select
    keyword,
    search_rank,
    {{ user_columns() }},
    {{ capture_columns('tracked_keyword') }}
from source
{{ latest_per(['keyword', 'sec_uid', 'partition_date'], 'search_rank') }}
