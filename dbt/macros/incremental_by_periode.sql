{#
    Incremental by periode, correct when uploads of several periodes arrive in one run, out of
    order, or replace earlier uploads (re-uploads get a new upload_id):

    pre-hook  delete_changed_periodes(source_model): a periode has changed when its set of
              (periode, upload_id) in source_model differs from the one in the target; every
              row of the target from the earliest changed periode on is deleted (later periodes
              too, because SCD2 versions of later periodes may depend on an earlier one).
    body      periodes_to_load(): rows of the periodes the target does not hold (after the
              delete: the changed periodes and everything after them; on a first or full-refresh
              build: all of them).

    Rule-seed changes (BUP, families, ...) are not data changes: run with --full-refresh.
#}
{% macro delete_changed_periodes(source_model) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where periode >= (
            select min(coalesce(source_side.periode, target_side.periode))
            from (
                select distinct
                    periode,
                    upload_id
                from {{ ref(source_model) }}
            ) as source_side
            full outer join (
                select distinct
                    periode,
                    upload_id
                from {{ this }}
            ) as target_side
                on
                    source_side.periode = target_side.periode
                    and source_side.upload_id = target_side.upload_id
            where source_side.upload_id is null or target_side.upload_id is null
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro periodes_to_load(periode_column='periode') -%}
    {%- if is_incremental() -%}
        {{ periode_column }} not in (select distinct periode from {{ this }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
