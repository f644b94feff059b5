-- Stats of each video at each capture day. A video can be observed by several streams on one day
-- (its detail, the author's posts, a hashtag list, a search). The most direct stream wins (video
-- detail > posts > hashtag_videos > search_videos), then the latest capture: the same stream day
-- after day gives a steadier series than whichever list happened to be fetched last.
with observations as (
    select video_id, capture_date, captured_at, 'videos' as observed_via, 1 as stream_priority,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_videos') }}
    union all
    select video_id, capture_date, captured_at, 'posts', 2,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_posts') }}
    union all
    select video_id, capture_date, captured_at, 'hashtag_videos', 3,
           play_count, like_count, comment_count, share_count, collect_count
    from {{ ref('stg_hashtag_videos') }}
    union all
    select video_id, capture_date, captured_at, 'search_videos', 4,
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
    captured_at,
    observed_via,
    play_count,
    like_count,
    comment_count,
    share_count,
    collect_count,
    {{ engagement_rate('play_count', 'like_count', 'comment_count', 'share_count', 'collect_count') }} as engagement_rate
from best
