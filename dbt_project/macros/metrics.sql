{#- (likes + comments + shares + collects) / plays; null when plays is 0 or unknown. Missing
    interaction counts count as 0. -#}
{% macro engagement_rate(plays, likes, comments, shares, collects) -%}
    (coalesce({{ likes }}, 0) + coalesce({{ comments }}, 0) + coalesce({{ shares }}, 0)
        + coalesce({{ collects }}, 0))::double / nullif({{ plays }}, 0)
{%- endmacro %}
