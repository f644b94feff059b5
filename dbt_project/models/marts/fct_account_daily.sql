-- One row per account per capture day, with the change since the account's previous capture
-- (null on its first capture). Days without a capture are simply absent, so a delta can span
-- several days: days_since_previous says how many.
with daily as (
    select * from {{ ref('stg_profiles') }}
),

with_previous as (
    select
        *,
        lag(capture_date) over w as previous_capture_date,
        lag(follower_count) over w as previous_follower_count,
        lag(following_count) over w as previous_following_count,
        lag(likes_count) over w as previous_likes_count,
        lag(video_count) over w as previous_video_count
    from daily
    window w as (partition by sec_uid order by capture_date)
)

select
    sec_uid,
    capture_date,
    username,
    follower_count as followers,
    following_count as following,
    likes_count as likes,
    video_count as videos,
    previous_capture_date,
    capture_date - previous_capture_date as days_since_previous,
    follower_count - previous_follower_count as followers_delta,
    following_count - previous_following_count as following_delta,
    likes_count - previous_likes_count as likes_delta,
    video_count - previous_video_count as videos_delta,
    captured_at
from with_previous
