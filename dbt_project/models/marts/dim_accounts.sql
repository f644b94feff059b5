-- One row per account ever seen in a profile snapshot: its latest profile, plus when it was first
-- and last captured, and its latest profile status (account_status = not_found marks a deleted,
-- private or renamed account whose numbers stopped at last_seen_date, instead of silently keeping them).
with daily as (
    select * from {{ ref('stg_profiles') }}
),

seen as (
    select
        sec_uid,
        min(capture_date) as first_seen_date,
        max(capture_date) as last_seen_date,
        count(*) as capture_days
    from daily
    group by sec_uid
),

latest as (
    select *
    from daily
    qualify row_number() over (partition by sec_uid order by capture_date desc, captured_at desc) = 1
)

select
    latest.sec_uid,
    latest.user_id,
    latest.username,
    latest.nickname,
    latest.bio,
    latest.bio_url,
    latest.avatar_url,
    latest.follower_count,
    latest.following_count,
    latest.video_count,
    latest.likes_count,
    latest.tracked_account,
    seen.first_seen_date,
    seen.last_seen_date,
    seen.capture_days,
    latest.captured_at as last_captured_at,
    coalesce(status.latest_status, 'ok') as account_status,
    coalesce(status.is_gone, false) as is_gone,
    status.latest_status_at as status_checked_at
from latest
join seen using (sec_uid)
left join {{ ref('dim_tracked_entities') }} as status
    on status.asset = 'profiles' and status.tracked_entity = latest.tracked_account
