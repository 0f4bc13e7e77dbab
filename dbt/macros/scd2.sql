{#
    The tracked attributes of an SCD2 row folded into one text (for a single lag() comparison
    over a narrow projection): each column cast to text, nulls as '~', joined by '|'. Returns the
    list of expressions for dbt.concat.
#}
{% macro scd2_tracked_text(columns, relation_alias) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ relation_alias ~ "." ~ column ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
