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

{#
    Pre-hook of incremental models: an existing table built before the keys were uuid holds
    them as md5-hex text; appending uuid rows to it would mix dashed and undashed text in one
    column (on_schema_change cannot change types on contracted models). Every column the
    contract declares uuid and the table holds otherwise is converted in place (the same 128
    bits; ALTER ... TYPE ... USING is valid on DuckDB and PostgreSQL). A no-op afterwards.
#}
{% macro convert_uuid_columns() -%}
    {%- if execute and is_incremental() -%}
        {%- set uuid_type = type_uuid() | trim | lower -%}
        {%- set existing = adapter.get_columns_in_relation(this) -%}
        {%- for column in existing -%}
            {%- set declared = model.columns.get(column.name) -%}
            {%- if declared and (declared.data_type or '') | lower == uuid_type
                and column.dtype | lower != uuid_type -%}
                {%- do log('converting ' ~ this ~ '.' ~ column.name ~ ' from ' ~ column.dtype ~ ' to ' ~ uuid_type, info=true) -%}
                {%- do run_query(
                    'alter table ' ~ this ~ ' alter column ' ~ adapter.quote(column.name)
                    ~ ' type ' ~ uuid_type ~ ' using cast(' ~ adapter.quote(column.name)
                    ~ ' as ' ~ uuid_type ~ ')'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
