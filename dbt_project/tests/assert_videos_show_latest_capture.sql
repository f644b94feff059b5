-- Reported to Dagster as an asset check on fct_videos (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_videos'}}}) }}
-- fct_videos is never staler than the lake, and fct_video_daily keeps the stream rule:
--   * no staged observation of a video is from a later capture day than its stats_capture_date;
--   * its stats are the fct_video_daily row of that day and, while the lake still holds that very
--     observation (same stream, day and captured_at), equal it;
--   * no staged stream of a (video, day) is more direct than the one fct_video_daily chose;
--   * every staged video is in fct_videos.
-- (fct_video_daily is incremental, so it may hold captures the lake has since replaced.)
with staged as (
    select video_id, capture_date, captured_at, 'videos' as stream, 1 as priority, play_count, like_count from {{ ref('stg_videos') }}
    union all
    select video_id, capture_date, captured_at, 'posts', 2, play_count, like_count from {{ ref('stg_posts') }}
    union all
    select video_id, capture_date, captured_at, 'hashtag_videos', 3, play_count, like_count from {{ ref('stg_hashtag_videos') }}
    union all
    select video_id, capture_date, captured_at, 'search_videos', 4, play_count, like_count from {{ ref('stg_search_videos') }}
),

daily as (
    select *,
        case observed_via when 'videos' then 1 when 'posts' then 2 when 'hashtag_videos' then 3 else 4 end as priority
    from {{ ref('fct_video_daily') }}
),

videos as (
    select * from {{ ref('fct_videos') }}
)

select 'stale stats' as problem, v.video_id, v.stats_capture_date as capture_date
from videos as v
join (select video_id, max(capture_date) as latest from staged group by video_id) as s using (video_id)
where s.latest > v.stats_capture_date
union all
select 'stats differ from fct_video_daily', v.video_id, v.stats_capture_date
from videos as v
left join daily as d on d.video_id = v.video_id and d.capture_date = v.stats_capture_date
where d.video_id is null
   or d.play_count is distinct from v.play_count
   or d.like_count is distinct from v.like_count
   or d.captured_at is distinct from v.stats_captured_at
union all
select 'stats differ from the staged observation', d.video_id, d.capture_date
from daily as d
join staged as s
    on s.video_id = d.video_id and s.capture_date = d.capture_date
    and s.stream = d.observed_via and s.captured_at = d.captured_at
where s.play_count is distinct from d.play_count or s.like_count is distinct from d.like_count
union all
select 'a more direct stream was staged that day', d.video_id, d.capture_date
from daily as d
join staged as s on s.video_id = d.video_id and s.capture_date = d.capture_date
where s.priority < d.priority
union all
select 'staged video missing', s.video_id, s.capture_date
from staged as s
where s.video_id not in (select video_id from videos)
