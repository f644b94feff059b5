-- A top-level comment's reply_count_observed equals the replies pointing at it in fct_comments,
-- and replies never carry an observed count.
with replies as (
    select parent_comment_id, count(*) as replies
    from {{ ref('fct_comments') }}
    where is_reply
    group by parent_comment_id
)

select c.comment_id, c.is_reply, c.reply_count_observed, r.replies
from {{ ref('fct_comments') }} as c
left join replies as r on r.parent_comment_id = c.comment_id
where (not c.is_reply and c.reply_count_observed <> coalesce(r.replies, 0))
   or (c.is_reply and c.reply_count_observed is not null)
   or (c.is_reply and c.parent_comment_id is null)
