-- Stats of each video at each capture day (UTC day of captured_at; event partitions are creation
-- days, see the staging models). A video can be observed by several streams on one day (its detail,
-- the author's posts, a hashtag list, a search). The most direct stream wins (video detail > posts >
-- hashtag_videos > search_videos), then the latest capture: the same stream day after day gives a
-- steadier series than whichever list happened to be fetched last.
--
-- A plain table rebuilt from the lake on every build: the lake keeps every capture day's observation
-- (a capture adds rows, a same-day rerun replaces only that day's), so this history is not kept only
-- in the warehouse; delete warehouse.duckdb and the next build gives the same rows.
with observations as (
    select video_id, capture_date, created_date, captured_at, 'videos' as observed_via, 1 as stream_priority,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_videos') }}
    union all
    select video_id, capture_date, created_date, captured_at, 'posts', 2,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_posts') }}
    union all
    select video_id, capture_date, created_date, captured_at, 'hashtag_videos', 3,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_hashtag_videos') }}
    union all
    select video_id, capture_date, created_date, captured_at, 'search_videos', 4,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_search_videos') }}
),

best as (
    select *
    from observations
    qualify row_number() over (
        partition by video_id, capture_date
        order by stream_priority, captured_at desc
    ) = 1
)

select
    video_id,
    capture_date,
    created_date,
    captured_at,
    observed_via,
    play_count,
    like_count,
    comment_count,
    share_count,
    collect_count,
    {{ engagement_rate('play_count', 'like_count', 'comment_count', 'share_count', 'collect_count') }} as engagement_rate
from best
