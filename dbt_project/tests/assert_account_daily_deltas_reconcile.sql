-- Each delta equals this capture's value minus the account's previous capture's value, the previous
-- capture is the latest earlier day, and an account's first day has no delta.
with daily as (
    select * from {{ ref('fct_account_daily') }}
),

checked as (
    select
        cur.sec_uid,
        cur.capture_date,
        prev.capture_date as expected_previous_date,
        cur.previous_capture_date,
        cur.followers_delta, cur.followers - prev.followers as expected_followers_delta,
        cur.following_delta, cur.following - prev.following as expected_following_delta,
        cur.likes_delta, cur.likes - prev.likes as expected_likes_delta,
        cur.videos_delta, cur.videos - prev.videos as expected_videos_delta,
        cur.days_since_previous
    from daily as cur
    left join daily as prev
        on prev.sec_uid = cur.sec_uid
        and prev.capture_date = (
            select max(d.capture_date) from daily as d
            where d.sec_uid = cur.sec_uid and d.capture_date < cur.capture_date
        )
)

select *
from checked
where previous_capture_date is distinct from expected_previous_date
   or followers_delta is distinct from expected_followers_delta
   or following_delta is distinct from expected_following_delta
   or likes_delta is distinct from expected_likes_delta
   or videos_delta is distinct from expected_videos_delta
   or days_since_previous is distinct from (capture_date - expected_previous_date)
