-- Renames: one row per change of an account's handle between two consecutive profile captures of the
-- same sec_uid (the account key). The profiles asset follows a tracked handle that answers 404 by the
-- sec_uid an earlier capture recorded, so the history before and after a rename is one account.
with captures as (
    select
        sec_uid,
        username,
        capture_date,
        captured_at,
        lag(username) over w as previous_username,
        lag(capture_date) over w as previous_capture_date
    from {{ ref('stg_profiles') }}
    window w as (partition by sec_uid order by captured_at)
)

select
    sec_uid,
    previous_username as old_username,
    username as new_username,
    previous_capture_date as last_seen_as_old,
    capture_date as first_seen_as_new
from captures
where previous_username is not null and previous_username <> username
