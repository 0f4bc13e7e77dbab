{#
    The contract of a rule table (dbt/seeds/rules): every row names its status (confirmed /
    provisional) and its source and fills the table's own required_columns; and no two rows
    with the same key_columns (nulls compare equal) overlap in every one of the table's ranges,
    i.e. could both apply to one case.

    ranges: the intervals a row applies to, each {name, from, to, exclusive_to (default false),
    required (default true)}. A required range must have both bounds and from <= to; in an
    optional one an empty bound is open (a predikat row of ref_skp_predikat holds for any score).
    Left out, the table is a versioned rule table (seeds/rules/ip_asn): rule_version and the
    effective range effective_from .. effective_to (inclusive snapshot dates), so an overlap
    would score one periode by two rows. ranges: [] makes key_columns a plain unique key.

    One row per problem, with the offending rule row. One test per table instead of one per
    column: the rule tables are small, a test node is not.
#}
{% test rule_table(model, key_columns, required_columns=[], ranges=none) %}

{%- set versioned = ranges is none %}
{%- if versioned %}
    {%- set ranges = [{'name': 'effective', 'from': 'effective_from', 'to': 'effective_to'}] %}
{%- endif %}
{%- set must_fill = (['rule_version'] if versioned else []) + ['status', 'source'] + required_columns %}
{%- for span in ranges if span.get('required', true) %}
    {%- do must_fill.extend([span['from'], span['to']]) %}
{%- endfor %}
{%- set keys = key_columns | join(', ') or 'table' %}

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
            {%- for column in must_fill %}
            when {{ column }} is null then '{{ column }} is empty'
            {%- endfor %}
            {%- for span in ranges %}
            {%- if span.get('exclusive_to') %}
            when {{ span['from'] }} >= {{ span['to'] }} then '{{ span['from'] }} is not below {{ span['to'] }}'
            {%- else %}
            when {{ span['from'] }} > {{ span['to'] }} then '{{ span['from'] }} is after {{ span['to'] }}'
            {%- endif %}
            {%- endfor %}
            when status not in ('confirmed', 'provisional') then 'status is neither confirmed nor provisional'
        end as problem
    from rule_rows

),

overlapping as (

    select
        later.rule_row,
        {%- if ranges %}
        '{{ ranges | map(attribute='name') | join(' and ') }} range overlaps another row with the same {{ keys }}'
        {%- else %}
        'another row has the same {{ keys }}'
        {%- endif %}
            as problem
    from rule_rows as earlier
    inner join rule_rows as later
        on
            earlier.rule_row < later.rule_row
            {%- for column in key_columns %}
            and earlier.{{ column }} is not distinct from later.{{ column }}
            {%- endfor %}
            {%- for span in ranges %}
            {%- set before = '<' if span.get('exclusive_to') else '<=' %}
            {%- for a, b in [('earlier', 'later'), ('later', 'earlier')] %}
            and ({{ a }}.{{ span['from'] }} is null or {{ b }}.{{ span['to'] }} is null or {{ a }}.{{ span['from'] }} {{ before }} {{ b }}.{{ span['to'] }})
            {%- endfor %}
            {%- endfor %}

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
