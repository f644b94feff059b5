-- One row per (asset, tracked entity): its latest capture status and when it was first and last seen.
-- "Seen" = a capture that reached the entity (ok, renamed, empty, cap_hit, unchanged); not_found (404: deleted,
-- private or unknown) and failed captures are counted but never move last_seen_date. is_gone is true
-- when the latest status is not_found: the entity's marts keep their last numbers, and this says why
-- they stopped moving.
with statuses as (
    select * from {{ ref('stg_entity_status') }}
),

seen as (
    select asset, tracked_entity,
           min(status_date) filter (where status in ('ok', 'renamed', 'empty', 'cap_hit', 'unchanged')) as first_seen_date,
           max(status_date) filter (where status in ('ok', 'renamed', 'empty', 'cap_hit', 'unchanged')) as last_seen_date,
           count(*) as captures,
           count(*) filter (where status in ('not_found', 'failed')) as failed_captures
    from statuses
    group by asset, tracked_entity
),

latest as (
    select *
    from statuses
    qualify row_number() over (partition by asset, tracked_entity order by captured_at desc, run_id desc) = 1
)

select
    latest.asset,
    latest.tracked_entity,
    latest.status as latest_status,
    latest.detail as latest_detail,
    latest.captured_at as latest_status_at,
    latest.status = 'not_found' as is_gone,
    seen.first_seen_date,
    seen.last_seen_date,
    seen.captures,
    seen.failed_captures
from latest
join seen using (asset, tracked_entity)
