-- One row per hashtag per capture day: the snapshot counters (and their change since the previous
-- snapshot), the videos listed that day, and new_videos = distinct videos listed under the hashtag
-- (on any capture) whose creation UTC day is this day.
with snapshots as (
    select * from {{ ref('stg_hashtags') }}
),

listed as (
    select * from {{ ref('stg_hashtag_videos') }}
),

days as (
    select hashtag_id, capture_date from snapshots
    union
    select hashtag_id, capture_date from listed
),

listed_per_day as (
    select hashtag_id, capture_date, count(distinct video_id) as videos_listed,
           max(hashtag_name) as hashtag_name
    from listed
    group by hashtag_id, capture_date
),

created_per_day as (
    select hashtag_id, cast(timezone('UTC', created_at) as date) as created_date,
           count(distinct video_id) as new_videos
    from listed
    where created_at is not null
    group by hashtag_id, created_date
),

joined as (
    select
        days.hashtag_id,
        days.capture_date,
        coalesce(snapshots.hashtag_name, listed_per_day.hashtag_name) as hashtag_name,
        snapshots.video_count,
        snapshots.view_count,
        coalesce(listed_per_day.videos_listed, 0) as videos_listed,
        coalesce(created_per_day.new_videos, 0) as new_videos,
        snapshots.captured_at as snapshot_captured_at
    from days
    left join snapshots using (hashtag_id, capture_date)
    left join listed_per_day using (hashtag_id, capture_date)
    left join created_per_day
        on created_per_day.hashtag_id = days.hashtag_id
        and created_per_day.created_date = days.capture_date
)

select
    *,
    video_count - lag(video_count) over w as video_count_delta,
    view_count - lag(view_count) over w as view_count_delta
from joined
window w as (partition by hashtag_id order by capture_date)
