{{ config(lake_table='followings', lake_partition_column='capture_date') }}
-- One row per (tracked account, followed account) per capture day. The user_* columns describe the
-- account the owner follows.
{{ follow_list_staging('followings') }}
