{#-
  Reading the Delta lake.

  lake_url(): the lake root from TIKTOK_LAKE_URL (the Python side always sets it absolute; the
  default '../data/lake' is <repo>/data/lake when dbt runs with cwd = dbt_project/).

  lake_table(table): a typed SELECT over the live data files of one lake table (a Delta table at
  <lake>/<table>/, partitioned by partition_date). The live files are those of the table's current
  version, snapshotted by the Python side for this invocation into the local Parquet file named by
  TIKTOK_LAKE_FILES (tiktok_assets/dbt/lake_files.py, written by dbt_env()); superseded files a
  compaction left and files a killed writer left are never read. Data files do not store the
  partition column, so partition_date comes from the partition_date=YYYY-MM-DD folder
  (hive_partitioning). The columns and their DuckDB types come from the generated sources.yml
  (= lake/schemas.py). A table with no live file yet (fresh lake, a stream never materialized)
  returns the same columns from an empty typed SELECT, so every model still builds. The source()
  call records the lineage (dbt source -> staging model -> Dagster asset ["tiktok", <table>]).
  Which of the live files a build reads is lake_changes()'s answer (macros/lake_incremental.sql): all
  of them on a first build or --full-refresh, else only those of the partitions that changed since
  the model's last build. A comment in the compiled SQL says which ("N of M live files").
-#}

{% macro lake_url() -%}
  {%- set url = env_var('TIKTOK_LAKE_URL', '../data/lake') | trim -%}
  {{- return(url.rstrip('/') or url) -}}
{%- endmacro %}

{% macro sql_string(value) -%}
  {{- return("'" ~ (value | replace("'", "''")) ~ "'") -}}
{%- endmacro %}

{% macro lake_table(table) -%}
  {%- set _lineage = source('lake', table) -%}
  {%- if not execute -%}
    select 1 as parse_placeholder
  {%- else -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.lake.' ~ table] -%}
    {%- if config.get('lake_table') and config.get('lake_table') != table -%}
      {{ exceptions.raise_compiler_error(this ~ " reads lake table '" ~ table ~ "' but its config lake_table is '" ~ config.get('lake_table') ~ "'") }}
    {%- endif -%}
    {%- set changes = lake_changes(table) -%}
    {%- set files = changes.files -%}
    {%- set columns = node.columns.values() | list -%}
    {%- if columns | length == 0 -%}
      {{ exceptions.raise_compiler_error("lake source '" ~ table ~ "' declares no columns; regenerate models/sources.yml") }}
    {%- endif %}
    -- lake_table({{ table }}): {{ changes.mode }} read, {{ files | length }} of {{ changes.live }} live files
    {%- if changes.mode == 'partitions' %}, {{ changes.partitions | length }} changed partition(s){% endif %}
    {%- if files | length > 0 %}
    select
      {%- for col in columns %}
      cast({{ adapter.quote(col.name) }} as {{ col.data_type }}) as {{ adapter.quote(col.name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    from read_parquet([
      {%- for f in files %}{{ sql_string(f) }}{{ ', ' if not loop.last }}{% endfor -%}
    ], hive_partitioning = true, hive_types_autocast = false, union_by_name = true)
    {%- else %}
    -- nothing to read in {{ lake_url() }}/{{ table }}: same columns, no rows
    select
      {%- for col in columns %}
      cast(null as {{ col.data_type }}) as {{ adapter.quote(col.name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    where false
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
