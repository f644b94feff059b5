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
    arg_max(credits_remaining, requested_at) as last_credits_remaining,
    avg(latency_ms) as avg_latency_ms,
    min(requested_at) as first_requested_at,
    max(requested_at) as last_requested_at
from {{ ref('stg_credit_ledger') }}
group by usage_date, asset, endpoint, entity
