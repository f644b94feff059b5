-- Every search result at every capture day, videos and users in one table (result_type).
-- item_id is the video id for videos and the sec_uid for users. capture_date is the UTC day the
-- results were fetched (for videos NOT the search_videos partition, which is the video's creation day).
--
-- A plain table rebuilt from the lake on every build: every capture of a search stays in the lake,
-- so the results of earlier capture days are read from there, not kept only in the warehouse.
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
from results
qualify row_number() over (
    partition by keyword, publish_time_window, capture_date, result_type, item_id
    order by captured_at desc, search_rank
) = 1
