{#- Renamed column lists shared by several staging models (API names -> clear snake_case). -#}

{% macro video_columns() -%}
    aweme_id as video_id,
    description,
    create_time as created_at,
    is_pinned,
    author_uid as author_user_id,
    author_unique_id as author_username,
    author_sec_uid,
    author_nickname,
    play_count,
    digg_count as like_count,
    comment_count,
    share_count,
    collect_count,
    music_id,
    music_title,
    music_author,
    video_duration_ms as duration_ms,
    cover_url
{%- endmacro %}

{% macro user_columns() -%}
    sec_uid,
    uid as user_id,
    unique_id as username,
    nickname,
    signature as bio,
    avatar_url,
    follower_count,
    following_count,
    aweme_count as video_count,
    total_favorited as likes_count
{%- endmacro %}

{% macro comment_columns() -%}
    cid as comment_id,
    aweme_id as video_id,
    text,
    create_time as created_at,
    digg_count as like_count,
    reply_comment_total,
    is_author_digged as liked_by_author,
    user_uid as user_id,
    user_unique_id as username,
    user_sec_uid,
    user_nickname,
    user_avatar_url
{%- endmacro %}

{#- Snapshot tables (profiles, hashtags, followers, followings, search_users): the date= partition IS
    the capture day. -#}
{% macro capture_columns(entity_alias) -%}
    tracked_entity as {{ entity_alias }},
    partition_date as capture_date,
    captured_at
{%- endmacro %}

{#- UTC calendar day of a timestamptz, independent of the session TimeZone. -#}
{% macro utc_day(ts) -%}
    cast(({{ ts }} at time zone 'UTC') as date)
{%- endmacro %}

{#- Event tables (posts, videos, comments, comment_replies, hashtag_videos, search_videos): the date=
    partition is the day the ITEM WAS CREATED (UTC) and is replaced on every re-capture, so it says
    nothing about when the row was observed. capture_date is the UTC day of captured_at; the partition
    day is kept as created_date. -#}
{% macro event_capture_columns(entity_alias) -%}
    tracked_entity as {{ entity_alias }},
    partition_date as created_date,
    {{ utc_day('captured_at') }} as capture_date,
    captured_at
{%- endmacro %}

{#- Keep the latest capture of each key: ties on captured_at broken by the entity folder, so the
    choice is deterministic. Always within one lake partition (partition_date is part of every key):
    the incremental staging rebuilds whole partitions (macros/lake_incremental.sql), so a row must
    depend on its own partition's rows only. For snapshot tables the partition is the capture day,
    already a key; for event tables it is the item's creation day, a function of the item (the
    writer files an item under the UTC day of its create_time, and skips items without one), so this
    changes nothing for real data, and a row filed under two creation days would show in the unique
    tests instead of being hidden. -#}
{% macro latest_per(keys, extra_order='') -%}
{%- set keys = keys if 'partition_date' in keys else ['partition_date'] + keys %}
qualify row_number() over (
    partition by {{ keys | join(', ') }}
    order by captured_at desc{{ ', ' ~ extra_order if extra_order }}, tracked_entity
) = 1
{%- endmacro %}

{#- The staging select of a follow list (followers and followings share one lake schema): one row per
    (tracked account, listed account) per capture day, the user_* columns describing the listed account. -#}
{% macro follow_list_staging(lake_name) -%}
with source as ({{ lake_table(lake_name) }})

select
    owner_sec_uid,
    owner_unique_id as owner_username,
    {{ user_columns() }},
    {{ capture_columns('tracked_account') }}
from source
{{ latest_per(['owner_sec_uid', 'sec_uid', 'partition_date']) }}
{%- endmacro %}
