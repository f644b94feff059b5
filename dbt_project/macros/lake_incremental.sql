{#-
  Incremental staging: each build reads only the lake partitions whose live files changed.

  The unit is a lake partition (one partition_date of one lake table). Every staging row comes from
  exactly one partition: latest_per() ranks within a partition (macros/columns.sql), and a staging
  model exposes the partition day as a column (config lake_partition_column: created_date for event
  tables, capture_date for snapshot tables, usage_date / status_date). So a partition's staging rows
  are a function of that partition's live files alone, and replacing the rows of every partition
  whose files changed gives exactly what a full rebuild gives.

  What the warehouse remembers (schema lake_state, created by lake_state_setup() on-run-start):
  - lake_state.loaded_files (model, lake_table, partition_date, uri): the live files each staging
    model's rows were last built from;
  - lake_state.loads (model, lake_table, fingerprint, live_files, loaded_at): one row per model; the
    fingerprint is the staging project files' hash that tiktok_assets/dbt/lake_files.py stored in the
    snapshot (a changed model, macro or column list reloads the whole table once).
  Both are rewritten by record_lake_load(), a post-hook that runs inside the model's transaction, so a
  failed model leaves the model and its record as they were.

  A build (lake_changes()):
  - first build, --full-refresh, or the table is missing: every live file (mode "full");
  - no record for the model, or another fingerprint: every live file, and the strategy deletes every
    row first (mode "all");
  - else: the partitions whose set of live files differs from the recorded one (files added, removed
    or rewritten: a new capture, a same-day recapture that replaced rows, a compaction), and only the
    live files of those partitions (mode "partitions"). Unchanged partitions are not read at all;
    vacuum removes files no version references, so it changes nothing here.
  The strategy lake_partitions deletes the target's rows of those partitions (a partition that has no
  live file left loses its rows) and inserts what was read.
-#}

{% macro lake_state_schema() -%}lake_state{%- endmacro %}

{#- on-run-start: the bookkeeping tables (a no-op once they exist). -#}
{% macro lake_state_setup() -%}
  create schema if not exists {{ lake_state_schema() }};
  create table if not exists {{ lake_state_schema() }}.loaded_files (
      model varchar not null, lake_table varchar not null, partition_date date not null, uri varchar not null);
  create table if not exists {{ lake_state_schema() }}.loads (
      model varchar not null, lake_table varchar not null, fingerprint varchar not null,
      live_files bigint not null, loaded_at timestamptz not null)
{%- endmacro %}

{% macro lake_snapshot() -%}
  {%- set listing = env_var('TIKTOK_LAKE_FILES', '') | trim -%}
  {%- if not listing -%}
    {{ exceptions.raise_compiler_error("TIKTOK_LAKE_FILES is not set: run dbt through tiktok-assets / Dagster, or by hand with `export TIKTOK_LAKE_FILES=$(python -m tiktok_assets.dbt.lake_files)` first") }}
  {%- endif -%}
  {{- return(listing) -}}
{%- endmacro %}

{#- The staging model's key in lake_state: <schema>.<table> of the relation it builds. -#}
{% macro lake_state_model() -%}
  {{- return(this.schema ~ '.' ~ this.identifier) -}}
{%- endmacro %}

{% macro lake_fingerprint() -%}
  {%- set rows = run_query("select decode(value) from parquet_kv_metadata(" ~ sql_string(lake_snapshot())
                           ~ ") where decode(key) = 'tiktok.staging_fingerprint'") -%}
  {{- return(rows.columns[0].values()[0] if rows | length > 0 else 'none') -}}
{%- endmacro %}

{#- What this build of the current model reads from lake table `table`:
    {mode: full | all | partitions, files: [uri], partitions: ['YYYY-MM-DD'], live: n}. -#}
{% macro lake_changes(table) -%}
  {%- set listing = lake_snapshot() -%}
  {%- set live_sql = "select uri, partition_date from read_parquet(" ~ sql_string(listing) ~ ") where lake_table = " ~ sql_string(table) -%}
  {%- set live = run_query("select uri from (" ~ live_sql ~ ") order by uri").columns[0].values() | list -%}
  {%- set mode = 'full' if not is_incremental() else 'all' -%}
  {%- if mode == 'all' -%}
    {%- set state = lake_state_schema() -%}
    {%- set exists = run_query("select count(*) from information_schema.tables where table_schema = " ~ sql_string(state)
                               ~ " and table_name in ('loads', 'loaded_files')").columns[0].values()[0] -%}
    {%- if exists == 2 -%}
      {%- set recorded = run_query("select count(*) from " ~ state ~ ".loads where model = " ~ sql_string(lake_state_model())
                                   ~ " and lake_table = " ~ sql_string(table) ~ " and fingerprint = "
                                   ~ sql_string(lake_fingerprint())).columns[0].values()[0] -%}
      {%- if recorded == 1 -%}{%- set mode = 'partitions' -%}{%- endif -%}
    {%- endif -%}
  {%- endif -%}
  {%- if mode != 'partitions' -%}
    {{- return({'mode': mode, 'files': live, 'partitions': [], 'live': live | length}) -}}
  {%- endif -%}
  {%- set changed_sql -%}
    with live as ({{ live_sql }}),
    loaded as (
        select uri, partition_date from {{ lake_state_schema() }}.loaded_files
        where model = {{ sql_string(lake_state_model()) }}
    ),
    changed as (
        select partition_date from (select * from live except select * from loaded)
        union
        select partition_date from (select * from loaded except select * from live)
    )
    select strftime(c.partition_date, '%Y-%m-%d') as day, l.uri
    from changed c left join live l using (partition_date)
    order by 1, 2
  {%- endset -%}
  {%- set rows = run_query(changed_sql) -%}
  {%- set days = rows.columns[0].values() | unique | list -%}
  {%- set files = rows.columns[1].values() | reject('none') | list -%}
  {{- return({'mode': 'partitions', 'files': files, 'partitions': days, 'live': live | length}) -}}
{%- endmacro %}

{#- Custom incremental strategy (incremental_strategy: lake_partitions): replace the rows of the
    partitions this build read. -#}
{% macro get_incremental_lake_partitions_sql(arg_dict) -%}
  {%- set target = arg_dict['target_relation'] -%}
  {%- set temp = arg_dict['temp_relation'] -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  {%- set table = config.get('lake_table') -%}
  {%- set column = config.get('lake_partition_column') -%}
  {%- if not table or not column -%}
    {{ exceptions.raise_compiler_error("incremental_strategy lake_partitions needs the configs lake_table and lake_partition_column (" ~ this ~ ")") }}
  {%- endif -%}
  {%- set changes = lake_changes(table) -%}
  {%- if changes.mode != 'partitions' %}
    delete from {{ target }};
  {%- elif changes.partitions %}
    delete from {{ target }} where {{ adapter.quote(column) }} in (
      {%- for day in changes.partitions %}date '{{ day }}'{{ ', ' if not loop.last }}{% endfor -%}
    );
  {%- endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
{%- endmacro %}

{#- Post-hook of every staging model (inside its transaction): what it was built from. -#}
{% macro record_lake_load() -%}
  {%- if execute and config.get('lake_table') -%}
    {%- set state = lake_state_schema() -%}
    {%- set model = sql_string(lake_state_model()) -%}
    {%- set table = sql_string(config.get('lake_table')) -%}
    delete from {{ state }}.loaded_files where model = {{ model }};
    insert into {{ state }}.loaded_files (model, lake_table, partition_date, uri)
    select {{ model }}, lake_table, partition_date, uri from read_parquet({{ sql_string(lake_snapshot()) }})
    where lake_table = {{ table }};
    delete from {{ state }}.loads where model = {{ model }};
    insert into {{ state }}.loads (model, lake_table, fingerprint, live_files, loaded_at)
    select {{ model }}, {{ table }}, {{ sql_string(lake_fingerprint()) }},
           (select count(*) from {{ state }}.loaded_files where model = {{ model }}), now()
  {%- endif -%}
{%- endmacro %}
