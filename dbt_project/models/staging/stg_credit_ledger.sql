{{ config(lake_table='credit_ledger', lake_partition_column='usage_date') }}
-- One row per API request. The ledger is an append-only event log with no natural id (two retries
-- of one request can share every key column), so only rows identical in every column - the same
-- record read twice - are collapsed.
with source as ({{ lake_table('credit_ledger') }})

select distinct
    run_id,
    asset,
    "partition" as partition_key,
    endpoint,
    entity,
    params_hash,
    http_status,
    credits_used,
    credits_remaining,
    latency_ms,
    requested_at,
    flush_id,
    partition_date as usage_date
from source
