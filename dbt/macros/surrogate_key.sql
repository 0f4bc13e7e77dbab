{#
    Surrogate keys: md5 of the natural key, stored as a uuid (the same 128 bits in 16 fixed
    bytes instead of 32 characters of text: cheaper to write, compare and join at 5 M-10 M rows).
    Portable: md5() returns hex text on DuckDB and PostgreSQL, and both cast it to uuid.
    Printed, a key is the uuid form of the md5 (8-4-4-4-12 hex digits); key_text() gives the
    32-character md5 hex the keys had as text, for what leaves the warehouse (marts).
#}
{% macro surrogate_key(expression) -%}
    cast({{ dbt.hash(expression) }} as {{ type_uuid() }})
{%- endmacro %}

{% macro key_text(expression) -%}
    {{ dbt.replace('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')', "'-'", "''") }}
{%- endmacro %}

{% macro type_uuid() -%}
    {{ return(adapter.dispatch('type_uuid', 'asn')()) }}
{%- endmacro %}

{% macro default__type_uuid() -%}
    uuid
{%- endmacro %}
