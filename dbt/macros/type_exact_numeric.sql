{#
    The decimal type a figure is cast to before round(): DuckDB's avg() and division of decimals
    return a double (36.175 is 36.17499999999999715 and rounds to 36.17), PostgreSQL's return
    exact numerics (36.18). Cast to 12 decimals first, both engines round the same decimal: the
    double's error (~1e-14 at these magnitudes) vanishes, and a mean or share of up to 10^8
    rows of two-decimal scores or counts is never within 1e-11 of a rounding midpoint without
    being on it.
#}
{% macro type_exact_numeric() -%}
    {{ return(adapter.dispatch('type_exact_numeric', 'asn')()) }}
{%- endmacro %}

{% macro default__type_exact_numeric() -%}
    numeric(38, 12)
{%- endmacro %}
