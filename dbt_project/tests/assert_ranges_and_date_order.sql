-- Reported to Dagster as an asset check on fct_search_results (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_search_results'}}}) }}
-- Ranks start at 1, counts are non-negative, and first-seen never follows last-seen.
select 'search_rank < 1' as problem, item_id as id from {{ ref('fct_search_results') }} where search_rank < 1
union all
select 'hashtag counts', hashtag_id from {{ ref('fct_hashtag_daily') }}
where new_videos < 0 or videos_listed < 0 or video_count < 0 or view_count < 0
union all
select 'video counts', video_id from {{ ref('fct_video_daily') }}
where play_count < 0 or like_count < 0 or comment_count < 0 or share_count < 0 or collect_count < 0
union all
select 'account dates', sec_uid from {{ ref('dim_accounts') }} where first_seen_date > last_seen_date
union all
select 'edge dates', follower_sec_uid from {{ ref('fct_follow_edges') }} where first_seen_date > last_seen_date
union all
select 'video dates', video_id from {{ ref('fct_videos') }} where first_seen_date > last_seen_date
union all
select 'comment dates', comment_id from {{ ref('fct_comments') }} where first_seen_date > last_seen_date
