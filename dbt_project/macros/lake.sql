{#-
  Reading the Parquet lake.

  lake_url(): the lake root from TIKTOK_LAKE_URL (the Python side always sets it absolute; the
  default '../data/lake' is <repo>/data/lake when dbt runs with cwd = dbt_project/).

  lake_table(table): a typed SELECT over every committed file of one lake table:
      <lake>/<table>/date=*/<entity_kind>=*/*.parquet
  The columns and their DuckDB types come from the generated sources.yml (= lake/schemas.py). The
  files store partition_date / tracked_entity as real columns, so the hive folder values are not
  used (hive_partitioning only lets DuckDB skip folders). When a table has no file yet (fresh lake,
  credit_ledger before the budget feature, a stream never materialized) it returns the same columns
  from an empty typed SELECT, so every model still builds. The source() call records the lineage
  (dbt source -> staging model -> Dagster asset ["tiktok", <table>]).
-#}

{% macro lake_url() -%}
  {%- set url = env_var('TIKTOK_LAKE_URL', '../data/lake') | trim -%}
  {{- return(url.rstrip('/') or url) -}}
{%- endmacro %}

{% macro sql_string(value) -%}
  {{- return("'" ~ (value | replace("'", "''")) ~ "'") -}}
{%- endmacro %}

{% macro lake_glob(table, entity_kind) -%}
  {{- return(lake_url() ~ '/' ~ table ~ '/date=*/' ~ entity_kind ~ '=*/*.parquet') -}}
{%- endmacro %}

{% macro lake_table(table) -%}
  {%- set _lineage = source('lake', table) -%}
  {%- if not execute -%}
    select 1 as parse_placeholder
  {%- else -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.lake.' ~ table] -%}
    {%- set meta = node.config.meta if node.config.meta else node.meta -%}
    {%- set pattern = lake_glob(table, meta['entity_kind']) -%}
    {%- set found = run_query('select count(*) from glob(' ~ sql_string(pattern) ~ ')').columns[0].values()[0] -%}
    {%- set columns = node.columns.values() | list -%}
    {%- if columns | length == 0 -%}
      {{ exceptions.raise_compiler_error("lake source '" ~ table ~ "' declares no columns; regenerate models/sources.yml") }}
    {%- endif -%}
    {%- if found > 0 %}
    select
      {%- for col in columns %}
      cast({{ adapter.quote(col.name) }} as {{ col.data_type }}) as {{ adapter.quote(col.name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    from read_parquet({{ sql_string(pattern) }}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)
    {%- else %}
    -- no file yet under {{ pattern }}: same columns, no rows
    select
      {%- for col in columns %}
      cast(null as {{ col.data_type }}) as {{ adapter.quote(col.name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    where false
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
