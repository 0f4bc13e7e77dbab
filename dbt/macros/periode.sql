{#
    A periode is the text 'YYYY-MM'. Its first day and its snapshot date (the last day of the
    month) are built with dbt's cross-database macros, so they run on DuckDB and PostgreSQL.
#}
{% macro periode_start_date(periode) -%}
    cast({{ dbt.concat([periode, "'-01'"]) }} as date)
{%- endmacro %}

{% macro periode_snapshot_date(periode) -%}
    cast({{ dbt.last_day(periode_start_date(periode), 'month') }} as date)
{%- endmacro %}

{#- Integer key YYYYMM of a periode 'YYYY-MM' (dim_periode.periode_key). -#}
{% macro periode_key(periode) -%}
    cast({{ dbt.replace(periode, "'-'", "''") }} as {{ dbt.type_int() }})
{%- endmacro %}
