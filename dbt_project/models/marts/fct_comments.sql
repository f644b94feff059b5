-- One row per comment (top-level and replies), latest capture. Top-level comments carry the reply
-- count the API reports (reply_comment_total) and the number of distinct replies actually observed
-- in the lake (reply_count_observed); replies point at their parent and have a null observed count.
with top_level as (
    select *, null::varchar as parent_comment_id, false as is_reply
    from {{ ref('stg_comments') }}
),

replies as (
    select * exclude (parent_comment_id), parent_comment_id, true as is_reply
    from {{ ref('stg_comment_replies') }}
),

all_comments as (
    select * from top_level
    union all by name
    select * from replies
),

seen as (
    select comment_id, min(capture_date) as first_seen_date, max(capture_date) as last_seen_date
    from all_comments
    group by comment_id
),

-- A comment found both as a top-level comment and as a reply is treated as top-level.
latest as (
    select *
    from all_comments
    qualify row_number() over (
        partition by comment_id order by is_reply, capture_date desc, captured_at desc
    ) = 1
),

observed_replies as (
    select parent_comment_id, count(distinct comment_id) as reply_count_observed
    from {{ ref('stg_comment_replies') }}
    group by parent_comment_id
)

select
    latest.comment_id,
    latest.video_id,
    latest.parent_comment_id,
    latest.is_reply,
    latest.text,
    latest.created_at,
    latest.like_count,
    latest.reply_comment_total,
    case when latest.is_reply then null else coalesce(observed_replies.reply_count_observed, 0) end
        as reply_count_observed,
    latest.liked_by_author as author_liked,
    latest.user_id,
    latest.username,
    latest.user_sec_uid,
    latest.user_nickname,
    latest.tracked_account,
    seen.first_seen_date,
    seen.last_seen_date,
    latest.captured_at
from latest
join seen using (comment_id)
left join observed_replies on observed_replies.parent_comment_id = latest.comment_id
