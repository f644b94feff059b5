-- One row per video: its latest stats (from fct_video_daily: the latest capture day wins across days,
-- the most direct stream within a day), its descriptive fields from the most recent capture day (most
-- direct stream first), the detail-only fields (hashtags, mentions, size) from its latest detail, and
-- is_pinned from its latest post listing (only the author's post list says whether a video is pinned).
-- Capture days are UTC days of captured_at, so a video detailed on day 1 and re-listed in day 2's
-- posts shows day 2's stats. A video kept in fct_video_daily's history but no longer in any lake
-- partition keeps its stats and dates; its descriptive fields are then null.
with attributes as (
    select video_id, description, created_at, author_user_id, author_username,
           author_sec_uid, author_nickname, music_id, music_title, music_author, duration_ms,
           cover_url, capture_date, captured_at, 1 as stream_priority
    from {{ ref('stg_videos') }}
    union all
    select video_id, description, created_at, author_user_id, author_username,
           author_sec_uid, author_nickname, music_id, music_title, music_author, duration_ms,
           cover_url, capture_date, captured_at, 2
    from {{ ref('stg_posts') }}
    union all
    select video_id, description, created_at, author_user_id, author_username,
           author_sec_uid, author_nickname, music_id, music_title, music_author, duration_ms,
           cover_url, capture_date, captured_at, 3
    from {{ ref('stg_hashtag_videos') }}
    union all
    select video_id, description, created_at, author_user_id, author_username,
           author_sec_uid, author_nickname, music_id, music_title, music_author, duration_ms,
           cover_url, capture_date, captured_at, 4
    from {{ ref('stg_search_videos') }}
),

latest_attributes as (
    select *
    from attributes
    qualify row_number() over (
        partition by video_id order by capture_date desc, stream_priority, captured_at desc
    ) = 1
),

latest_post as (
    select video_id, is_pinned
    from {{ ref('stg_posts') }}
    qualify row_number() over (partition by video_id order by capture_date desc, captured_at desc) = 1
),

latest_detail as (
    select video_id, hashtags, mentions, video_width, video_height
    from {{ ref('stg_videos') }}
    qualify row_number() over (partition by video_id order by capture_date desc, captured_at desc) = 1
),

daily as (
    select * from {{ ref('fct_video_daily') }}
),

seen as (
    select video_id, min(capture_date) as first_seen_date, max(capture_date) as last_seen_date,
           count(*) as capture_days
    from daily
    group by video_id
),

latest_stats as (
    select *
    from daily
    qualify row_number() over (partition by video_id order by capture_date desc, captured_at desc) = 1
)

select
    s.video_id,
    a.description,
    a.created_at,
    p.is_pinned,
    a.author_user_id,
    a.author_username,
    a.author_sec_uid,
    a.author_nickname,
    a.music_id,
    a.music_title,
    a.music_author,
    a.duration_ms,
    a.cover_url,
    d.hashtags,
    d.mentions,
    d.video_width,
    d.video_height,
    s.play_count,
    s.like_count,
    s.comment_count,
    s.share_count,
    s.collect_count,
    s.engagement_rate,
    s.capture_date as stats_capture_date,
    s.captured_at as stats_captured_at,
    seen.first_seen_date,
    seen.last_seen_date,
    seen.capture_days
from latest_stats as s
join seen using (video_id)
left join latest_attributes as a using (video_id)
left join latest_detail as d using (video_id)
left join latest_post as p using (video_id)
