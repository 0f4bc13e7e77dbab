{#
    The contract of a versioned rule table (dbt/seeds/rules/ip_asn): every row names its
    rule_version, its effective range (inclusive snapshot dates, effective_from <= effective_to),
    its status (confirmed / provisional) and its source, and fills the table's own
    required_columns; and no two rows with the same key_columns have effective ranges that
    overlap (an overlap would score one periode by two rows). One row per problem, with the
    offending rule row. One test per table instead of one per column: the rule tables are small,
    a test node is not.
#}
{% test rule_table(model, key_columns, required_columns=[]) %}

with

rule_rows as (

    select
        *,
        row_number() over () as rule_row
    from {{ model }}

),

incomplete as (

    select
        rule_row,
        case
            {%- for column in ['rule_version', 'effective_from', 'effective_to', 'status', 'source'] + required_columns %}
            when {{ column }} is null then '{{ column }} is empty'
            {%- endfor %}
            when effective_from > effective_to then 'effective_from is after effective_to'
            when status not in ('confirmed', 'provisional') then 'status is neither confirmed nor provisional'
        end as problem
    from rule_rows

),

overlapping as (

    select
        later.rule_row,
        'effective range overlaps another row with the same {{ key_columns | join(", ") or "table" }}'
            as problem
    from rule_rows as earlier
    inner join rule_rows as later
        on
            earlier.rule_row < later.rule_row
            {%- for column in key_columns %}
            and earlier.{{ column }} = later.{{ column }}
            {%- endfor %}
            and earlier.effective_from <= later.effective_to
            and later.effective_from <= earlier.effective_to

),

problems as (

    select
        rule_row,
        problem
    from incomplete
    where problem is not null

    union all

    select
        rule_row,
        problem
    from overlapping

)

select
    problems.problem,
    rule_rows.*
from problems
inner join rule_rows
    on problems.rule_row = rule_rows.rule_row

{% endtest %}
