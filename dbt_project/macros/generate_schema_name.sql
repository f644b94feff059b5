{#- Models land in plain `staging` / `marts` schemas (not dbt's default `<target>_<custom>`), so BI
    queries read `marts.fct_videos`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
