-- Every search result at every capture day, videos and users in one table (result_type).
-- item_id is the video id for videos and the sec_uid for users.
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
    author_sec_uid as item_sec_uid
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
    sec_uid as item_sec_uid
from {{ ref('stg_search_users') }}
