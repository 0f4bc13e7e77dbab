{#
    Whole years from start_date to end_date (floor), correct around anniversaries: the count
    goes up on the anniversary day itself, not the day before or after. Used for age at the
    snapshot (tanggal_lahir -> snapshot_date), years of service and years to retirement.
    Negative when end_date is before start_date. Portable: extract() exists on DuckDB and
    PostgreSQL. A 29 February start counts its anniversary on 1 March in common years.
#}
{% macro whole_years_between(start_date, end_date) -%}
    cast(
        extract(year from {{ end_date }}) - extract(year from {{ start_date }})
        - case
            when
                extract(month from {{ end_date }}) * 100 + extract(day from {{ end_date }})
                < extract(month from {{ start_date }}) * 100 + extract(day from {{ start_date }})
                then 1
            else 0
        end
        as {{ dbt.type_int() }}
    )
{%- endmacro %}
