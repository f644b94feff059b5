-- One row per hashtag per day: the days it was captured (snapshot, or its feed - hashtag_videos is
-- filed by capture day) and the UTC creation days of its listed videos. Per row: the snapshot
-- counters (and their change since the previous snapshot), the videos listed in that day's feed
-- capture, and new_videos = distinct videos seen in any capture of the feed that were created on this
-- UTC day (the created-on-day view). A capture holds the feed to the asset's max_pages depth in the
-- API's order (engagement, not time), so new_videos counts the videos that made it into a capture,
-- not every video ever posted with the hashtag.
with snapshots as (
    select
        *,
        video_count - lag(video_count) over w as video_count_delta,
        view_count - lag(view_count) over w as view_count_delta
    from {{ ref('stg_hashtags') }}
    window w as (partition by hashtag_id order by capture_date)
),

listed as (
    select * from {{ ref('stg_hashtag_videos') }}
),

listed_per_day as (
    select hashtag_id, capture_date, count(distinct video_id) as videos_listed,
           max(hashtag_name) as hashtag_name
    from listed
    group by hashtag_id, capture_date
),

created_per_day as (
    select hashtag_id, {{ utc_day('created_at') }} as created_day,
           count(distinct video_id) as new_videos, max(hashtag_name) as hashtag_name
    from listed
    where created_at is not null
    group by hashtag_id, created_day
),

days as (
    select hashtag_id, capture_date from snapshots
    union
    select hashtag_id, capture_date from listed_per_day
    union
    select hashtag_id, created_day from created_per_day
)

select
    days.hashtag_id,
    days.capture_date,
    coalesce(snapshots.hashtag_name, listed_per_day.hashtag_name, created_per_day.hashtag_name) as hashtag_name,
    snapshots.video_count,
    snapshots.view_count,
    coalesce(listed_per_day.videos_listed, 0) as videos_listed,
    coalesce(created_per_day.new_videos, 0) as new_videos,
    snapshots.captured_at as snapshot_captured_at,
    snapshots.video_count_delta,
    snapshots.view_count_delta
from days
left join snapshots using (hashtag_id, capture_date)
left join listed_per_day using (hashtag_id, capture_date)
left join created_per_day
    on created_per_day.hashtag_id = days.hashtag_id
    and created_per_day.created_day = days.capture_date
