-- Reported to Dagster as an asset check on fct_videos (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_videos'}}}) }}
-- engagement_rate is null exactly when plays is 0/unknown, and otherwise between 0 and 10
-- (interactions above 10x plays would mean broken counters, not viral content).
select 'fct_videos' as model, video_id, play_count, engagement_rate
from {{ ref('fct_videos') }}
where (coalesce(play_count, 0) = 0 and engagement_rate is not null)
   or (play_count > 0 and (engagement_rate is null or engagement_rate < 0 or engagement_rate > 10))
union all
select 'fct_video_daily', video_id, play_count, engagement_rate
from {{ ref('fct_video_daily') }}
where (coalesce(play_count, 0) = 0 and engagement_rate is not null)
   or (play_count > 0 and (engagement_rate is null or engagement_rate < 0 or engagement_rate > 10))
