-- Reported to Dagster as an asset check on fct_videos (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_videos'}}}) }}
-- Every fct_videos row comes from at least one staging row, and its latest stats match the
-- staging row of the stream and day it claims (fct_video_daily.observed_via).
with staged as (
    select video_id, capture_date, 'videos' as stream, play_count, like_count from {{ ref('stg_videos') }}
    union all
    select video_id, capture_date, 'posts', play_count, like_count from {{ ref('stg_posts') }}
    union all
    select video_id, capture_date, 'hashtag_videos', play_count, like_count from {{ ref('stg_hashtag_videos') }}
    union all
    select video_id, capture_date, 'search_videos', play_count, like_count from {{ ref('stg_search_videos') }}
),

latest as (
    select v.video_id, v.stats_capture_date, d.observed_via, v.play_count, v.like_count
    from {{ ref('fct_videos') }} as v
    join {{ ref('fct_video_daily') }} as d
        on d.video_id = v.video_id and d.capture_date = v.stats_capture_date
)

select latest.*
from latest
where not exists (
    select 1 from staged
    where staged.video_id = latest.video_id
      and staged.capture_date = latest.stats_capture_date
      and staged.stream = latest.observed_via
      and staged.play_count is not distinct from latest.play_count
      and staged.like_count is not distinct from latest.like_count
)
union all
select v.video_id, v.stats_capture_date, null, v.play_count, v.like_count
from {{ ref('fct_videos') }} as v
where v.video_id not in (select video_id from staged)
