{#
    Fails for every combination of combination_of_columns that occurs more than once.
    Our own copy of the dbt_utils test (no dbt packages here). Honour `where:` via config.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as n_rows
    from {{ model }}
    group by
        {{ combination_of_columns | join(',\n        ') }}

)

select * from grouped
where n_rows > 1

{% endtest %}
