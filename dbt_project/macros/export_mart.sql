{#-
  export_mart_parquet(): post-hook of every mart. Writes the freshly built table to
      <lake>/marts/<model>/data.parquet
  (overwritten on each build) so BI tools and notebooks can read marts without the DuckDB file.
  s3:// lakes are written through the fsspec filesystem the profile registers; local lakes through
  the local:// fsspec filesystem, because DuckDB's own COPY does not create missing folders.
-#}
{% macro export_mart_parquet() -%}
  {%- set root = lake_url() -%}
  {%- if '://' not in root -%}
    {%- set root = 'local://' ~ root -%}
  {%- endif -%}
  {%- set dest = root ~ '/marts/' ~ this.identifier ~ '/data.parquet' -%}
  copy (select * from {{ this }}) to {{ sql_string(dest) }} (format parquet, compression zstd)
{%- endmacro %}
