{{ config(lake_table='followers', lake_partition_column='capture_date') }}
-- One row per (tracked account, follower) per capture day. The user_* columns describe the follower.
{{ follow_list_staging('followers') }}
