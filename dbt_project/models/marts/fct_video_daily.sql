-- Stats of each video at each capture day (UTC day of captured_at; event partitions are creation
-- days, see the staging models). A video can be observed by several streams on one day (its detail,
-- the author's posts, a hashtag list, a search). The most direct stream wins (video detail > posts >
-- hashtag_videos > search_videos), then the latest capture: the same stream day after day gives a
-- steadier series than whichever list happened to be fetched last.
--
-- Incremental (delete+insert on video_id, capture_date): the lake replaces an event partition on each
-- re-capture, so a day's observations exist only until the next capture of that partition. Each build
-- merges the staging rows with the rows already stored for the same (video, day), so an earlier
-- capture is kept, and a more direct stream stored by an earlier build is not overwritten by a less
-- direct one that is still in the lake.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['video_id', 'capture_date'],
    on_schema_change='fail',
) }}
{{ drop_outdated_history(['created_date']) }}

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

candidates as (
    select * from observations
    {% if is_incremental() %}
    union all
    -- what earlier builds stored for the (video, day) keys this build rewrites
    select stored.video_id, stored.capture_date, stored.created_date, stored.captured_at, stored.observed_via,
           case stored.observed_via when 'videos' then 1 when 'posts' then 2 when 'hashtag_videos' then 3 else 4 end,
           stored.play_count, stored.like_count, stored.comment_count, stored.share_count, stored.collect_count
    from {{ this }} as stored
    where exists (
        select 1 from observations as o
        where o.video_id = stored.video_id and o.capture_date = stored.capture_date
    )
    {% endif %}
),

best as (
    select *
    from candidates
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
