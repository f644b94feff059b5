{#-
  History marts (fct_video_daily, fct_search_results) are incremental: the lake REPLACES an event
  partition on each re-capture, so a capture kept nowhere but in the warehouse must survive the next
  build. `dbt build --full-refresh` rebuilds them from what the lake still holds (earlier captures of
  replaced partitions are then gone for good).

  drop_outdated_history(required_columns): before these marts were incremental they were plain tables
  keyed on the event partition (the creation day, not the capture day). Such a table has none of the
  newer columns; keeping it would carry creation-day rows into the history forever, so it is dropped
  (once, with a log line) and the model builds from scratch. Call it first in the model, before
  is_incremental(): dropping through the adapter also clears dbt's relation cache, so
  is_incremental() and the materialization both see "no table yet".
-#}
{% macro drop_outdated_history(required_columns) -%}
  {%- if execute and flags.WHICH in ('run', 'build') -%}
    {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
    {%- if existing is not none -%}
      {%- set present = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
      {%- set missing = required_columns | reject('in', present) | list -%}
      {%- if missing -%}
        {{ log("dropping " ~ existing ~ ": built before the capture-day fix (no " ~ missing | join(', ') ~ "); rebuilding it from the lake", info=true) }}
        {%- do adapter.drop_relation(existing) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
