-- One row per periode present in fct_kepegawaian: the IP ASN rule version in force at its
-- snapshot date and that version's numeric parameters (ip_asn_parameter, pivoted by name),
-- with the window start dates the scoring models compare against. No number is typed here.
{{ config(materialized='table', schema='intermediate', contract={'enforced': false}) }}

with

periodes as (

    select distinct
        periode,
        snapshot_date
    from {{ ref('fct_kepegawaian') }}

),

rule_version as (

    select
        rule_version,
        effective_from,
        effective_to
    from {{ ref('ip_asn_rule_version') }}

),

parameter as (

    select
        rule_version,
        effective_from,
        effective_to,
        parameter,
        nilai
    from {{ ref('ip_asn_parameter') }}

),

versioned as (

    select
        periodes.periode,
        periodes.snapshot_date,
        rule_version.rule_version
    from periodes
    inner join rule_version
        on periodes.snapshot_date between rule_version.effective_from and rule_version.effective_to

),

pivoted as (

    select
        versioned.periode,
        versioned.snapshot_date,
        versioned.rule_version,
        max(case when parameter.parameter = 'window_kompetensi_bulan' then parameter.nilai end)
            as window_kompetensi_bulan,
        max(case when parameter.parameter = 'window_disiplin_bulan' then parameter.nilai end)
            as window_disiplin_bulan,
        max(case when parameter.parameter = 'jp_teknis_minimum' then parameter.nilai end)
            as jp_teknis_minimum,
        max(case when parameter.parameter = 'skp_tahun_mundur' then parameter.nilai end)
            as skp_tahun_mundur,
        max(case when parameter.parameter = 'skp_predikat_dari_tahun' then parameter.nilai end)
            as skp_predikat_dari_tahun,
        max(case when parameter.parameter = 'skor_maks_kualifikasi' then parameter.nilai end)
            as skor_maks_kualifikasi,
        max(case when parameter.parameter = 'skor_maks_kompetensi' then parameter.nilai end)
            as skor_maks_kompetensi,
        max(case when parameter.parameter = 'skor_maks_kinerja' then parameter.nilai end)
            as skor_maks_kinerja,
        max(case when parameter.parameter = 'skor_maks_disiplin' then parameter.nilai end)
            as skor_maks_disiplin
    from versioned
    left join parameter
        on
            versioned.rule_version = parameter.rule_version
            and versioned.snapshot_date between parameter.effective_from and parameter.effective_to
    group by
        versioned.periode,
        versioned.snapshot_date,
        versioned.rule_version

),

final as (

    select
        periode,
        snapshot_date,
        rule_version,
        cast({{ dbt.date_trunc('year', 'snapshot_date') }} as date) as awal_tahun,
        cast(extract(year from snapshot_date) as {{ dbt.type_int() }}) as tahun,
        -- a date d is within a window when window_mulai < d <= snapshot_date
        cast(
            {{ dbt.dateadd('month', '-1 * window_kompetensi_bulan', 'snapshot_date') }} as date
        ) as window_kompetensi_mulai,
        cast(
            {{ dbt.dateadd('month', '-1 * window_disiplin_bulan', 'snapshot_date') }} as date
        ) as window_disiplin_mulai,
        jp_teknis_minimum,
        cast(extract(year from snapshot_date) - skp_tahun_mundur as {{ dbt.type_int() }})
            as skp_tahun_maks,
        cast(skp_predikat_dari_tahun as {{ dbt.type_int() }}) as skp_predikat_dari_tahun,
        skor_maks_kualifikasi,
        skor_maks_kompetensi,
        skor_maks_kinerja,
        skor_maks_disiplin
    from pivoted

)

select * from final
