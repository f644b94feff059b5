-- Each video's performance curve: stats at day 0, 1, 2, ... after posting (UTC days between its
-- creation day and the capture day), from fct_video_daily (one row per video and capture day, the
-- most direct stream of the day). Daily posts runs re-observe the posts of the last reobserve_days
-- days (tiktok/posts config, default 7) from the same pass, so each video of a tracked account gets
-- one point per day for its first days; a day without a capture is absent, never interpolated.
select
    video_id,
    created_date,
    capture_date - created_date as days_since_posted,
    capture_date,
    observed_via,
    play_count,
    like_count,
    comment_count,
    share_count,
    collect_count,
    engagement_rate
from {{ ref('fct_video_daily') }}
where capture_date >= created_date
