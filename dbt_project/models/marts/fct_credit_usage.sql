-- Credits per UTC day, asset, endpoint and entity, from the credit ledger (one row per request).
-- Builds to zero rows over an empty or missing ledger.
select
    usage_date,
    asset,
    endpoint,
    entity,
    count(*) as requests,
    count(*) filter (where http_status between 200 and 299) as successful_requests,
    count(*) filter (where http_status not between 200 and 299) as failed_requests,
    sum(credits_used) as credits_used,
    -- the balance after the group's last request; requests sent in the same instant (concurrent
    -- streams) are told apart by the balance itself, which only goes down: deterministic on a rebuild
    min(credits_remaining) filter (where requested_at = last_at) as last_credits_remaining,
    avg(latency_ms) as avg_latency_ms,
    min(requested_at) as first_requested_at,
    max(requested_at) as last_requested_at
from (
    select *, max(requested_at) over (partition by usage_date, asset, endpoint, entity) as last_at
    from {{ ref('stg_credit_ledger') }}
)
group by usage_date, asset, endpoint, entity
