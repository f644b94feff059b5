-- Reported to Dagster as an asset check on fct_credit_usage (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_credit_usage'}}}) }}
-- Credits and request counts are never negative, and the per-day usage adds up to the ledger.
select 'negative ledger credits' as problem, usage_date, credits_used as value
from {{ ref('stg_credit_ledger') }}
where credits_used < 0
union all
select 'negative usage', usage_date, credits_used
from {{ ref('fct_credit_usage') }}
where credits_used < 0 or requests <= 0 or successful_requests + failed_requests <> requests
union all
select 'usage does not reconcile with ledger', coalesce(l.usage_date, u.usage_date), coalesce(l.credits, 0) - coalesce(u.credits, 0)
from (select usage_date, sum(credits_used) as credits from {{ ref('stg_credit_ledger') }} group by usage_date) as l
full outer join (select usage_date, sum(credits_used) as credits from {{ ref('fct_credit_usage') }} group by usage_date) as u
    using (usage_date)
where l.credits is distinct from u.credits
