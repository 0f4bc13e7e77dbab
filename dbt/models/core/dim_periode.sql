-- Month dimension: one row per periode (YYYY-MM) from vars.periode_first_year to
-- vars.periode_last_year (dbt_project.yml), with its first day, snapshot date (last day), year,
-- semester, quarter and month, and whether any current upload reports it. periode_key is the
-- integer YYYYMM (a readable smart key; the same in every fact).
with

months as (

    {{ dbt.generate_series((var('periode_last_year') - var('periode_first_year') + 1) * 12) }}

),

dates as (

    select
        cast(
            {{ dbt.dateadd('month', 'generated_number - 1', dbt.date(var('periode_first_year'), 1, 1)) }} as date
        ) as periode_date
    from months

),

parts as (

    select
        periode_date,
        cast(extract(year from periode_date) as {{ dbt.type_int() }}) as tahun,
        cast(extract(month from periode_date) as {{ dbt.type_int() }}) as bulan
    from dates

),

reported as (

    select distinct periode
    from {{ ref('stg_audit__uploads') }}
    where is_current_loaded

),

labelled as (

    select
        parts.*,
        {{ dbt.concat([
            'cast(parts.tahun as ' ~ dbt.type_string() ~ ')',
            "'-'",
            dbt.right(dbt.concat(["'0'", 'cast(parts.bulan as ' ~ dbt.type_string() ~ ')']), 2)
        ]) }} as periode
    from parts

),

final as (

    select
        cast(labelled.tahun * 100 + labelled.bulan as {{ dbt.type_int() }}) as periode_key,
        cast(labelled.periode as {{ dbt.type_string() }}) as periode,
        cast(labelled.periode_date as date) as periode_date,
        {{ periode_snapshot_date('labelled.periode') }} as snapshot_date,
        cast(labelled.tahun as {{ dbt.type_int() }}) as tahun,
        cast(labelled.bulan as {{ dbt.type_int() }}) as bulan,
        cast(floor((labelled.bulan - 1) / 3) + 1 as {{ dbt.type_int() }}) as kuartal,
        cast(case when labelled.bulan <= 6 then 1 else 2 end as {{ dbt.type_int() }}) as semester,
        reported.periode is not null as is_reported
    from labelled
    left join reported
        on labelled.periode = reported.periode

)

select * from final
