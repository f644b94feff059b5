-- Every search result at every capture day, videos and users in one table (result_type).
-- item_id is the video id for videos and the sec_uid for users. capture_date is the UTC day the
-- results were fetched (for videos NOT the search_videos partition, which is the video's creation day).
--
-- Incremental: a search_videos partition is replaced on each re-capture, so the results of an earlier
-- capture day live on only here. Each build rewrites the (keyword, capture_date, result_type) groups
-- it has staging rows for, merged with what earlier builds stored for those groups (per result the
-- latest capture of the day, then the best rank). delete+insert matches its key with `in`, which
-- never matches nulls, hence the group key rather than one including publish_time_window.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['keyword', 'capture_date', 'result_type'],
    on_schema_change='fail',
) }}
{{ drop_outdated_history(['created_date']) }}

with results as (
    select
        keyword,
        publish_time_window,
        capture_date,
        captured_at,
        'video' as result_type,
        search_rank,
        video_id as item_id,
        description as item_title,
        author_username as item_username,
        author_sec_uid as item_sec_uid,
        created_date
    from {{ ref('stg_search_videos') }}

    union all

    select
        keyword,
        null as publish_time_window,
        capture_date,
        captured_at,
        'user' as result_type,
        search_rank,
        sec_uid as item_id,
        nickname as item_title,
        username as item_username,
        sec_uid as item_sec_uid,
        null::date as created_date
    from {{ ref('stg_search_users') }}
),

candidates as (
    select * from results
    {% if is_incremental() %}
    union all by name
    -- what earlier builds stored for the groups this build rewrites
    select stored.*
    from {{ this }} as stored
    where exists (
        select 1 from results as r
        where r.keyword = stored.keyword and r.capture_date = stored.capture_date
          and r.result_type = stored.result_type
    )
    {% endif %}
)

select
    keyword,
    publish_time_window,
    capture_date,
    captured_at,
    result_type,
    search_rank,
    item_id,
    item_title,
    item_username,
    item_sec_uid,
    created_date
from candidates
qualify row_number() over (
    partition by keyword, publish_time_window, capture_date, result_type, item_id
    order by captured_at desc, search_rank
) = 1
