-- The follow graph as edges follower_sec_uid -> followed_sec_uid, from both lists: a tracked
-- account's followers (follower = the listed user) and its followings (follower = the tracked
-- account). Rows missing either sec_uid cannot form an edge and are left out.
with observed as (
    select sec_uid as follower_sec_uid, username as follower_username,
           owner_sec_uid as followed_sec_uid, owner_username as followed_username,
           capture_date, captured_at, 'followers' as observed_in
    from {{ ref('stg_followers') }}
    union all
    select owner_sec_uid, owner_username, sec_uid, username,
           capture_date, captured_at, 'followings'
    from {{ ref('stg_followings') }}
)

select
    follower_sec_uid,
    followed_sec_uid,
    arg_max(follower_username, captured_at) as follower_username,
    arg_max(followed_username, captured_at) as followed_username,
    min(capture_date) as first_seen_date,
    max(capture_date) as last_seen_date,
    count(distinct capture_date) as capture_days,
    bool_or(observed_in = 'followers') as seen_in_followers,
    bool_or(observed_in = 'followings') as seen_in_followings
from observed
where follower_sec_uid is not null and followed_sec_uid is not null
group by follower_sec_uid, followed_sec_uid
