-- One row per employee and appraisal year (SKP). The latest report of that year wins (periode
-- desc, received_at desc, upload_id desc, source_row desc). The predikat is resolved by the rule
-- seed ref_skp_predikat with the scheme in force for the year: from 2022 the predikat id
-- (PermenPANRB 6/2022), before 2022 the band of the 0-100 score (PP 46/2011, provisional bands,
-- lower bound inclusive, upper bound exclusive). predikat_urutan puts both schemes on one scale
-- (1 = Sangat Baik .. 5 = Sangat Kurang / Buruk). No NIP: pegawai_key only.
with

skp as (

    select * from {{ ref('stg_siasn__skp') }}

),

-- the latest report of each NIP and year: the largest report_order (periode, received_at,
-- upload_id, source_row), as an aggregate instead of a window over the wide rows
latest_report as (

    select max(report_order) as report_order
    -- staging itself, not the skp CTE: a CTE read twice is materialised whole (10 M wide rows)
    from {{ ref('stg_siasn__skp') }}
    group by
        nip,
        tahun

),

latest as (

    select skp.*
    from skp
    inner join latest_report
        on skp.report_order = latest_report.report_order

),

rules as (

    select * from {{ ref('ref_skp_predikat') }}

),

by_predikat as (

    select * from rules
    where predikat_kinerja_id is not null

),

by_nilai as (

    select * from rules
    where nilai_min is not null

),

resolved as (

    select
        latest.*,
        coalesce(by_predikat.rule_version, by_nilai.rule_version) as rule_version,
        coalesce(by_predikat.predikat, by_nilai.predikat) as predikat,
        coalesce(by_predikat.predikat_urutan, by_nilai.predikat_urutan) as predikat_urutan
    from latest
    left join by_predikat
        on
            latest.predikat_kinerja_id = by_predikat.predikat_kinerja_id
            and latest.tahun between by_predikat.tahun_dari and by_predikat.tahun_sampai
    left join by_nilai
        on
            latest.nilai_skp >= by_nilai.nilai_min
            and latest.nilai_skp < by_nilai.nilai_batas
            and latest.tahun between by_nilai.tahun_dari and by_nilai.tahun_sampai

),

instansi as (

    select
        instansi_key,
        instansi_kode
    from {{ ref('dim_instansi') }}

),

final as (

    select
        {{ surrogate_key(dbt.concat(['resolved.nip', "'|'", 'cast(resolved.tahun as ' ~ dbt.type_string() ~ ')'])) }}
            as kinerja_key,
        {{ surrogate_key('resolved.nip') }} as pegawai_key,
        cast(instansi.instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(resolved.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(resolved.periode as {{ dbt.type_string() }}) as periode,
        {{ periode_key('resolved.periode') }} as periode_key,
        cast(resolved.tahun as {{ dbt.type_int() }}) as tahun,
        cast(resolved.predikat_kinerja_id as {{ dbt.type_string() }}) as predikat_kinerja_id,
        cast(resolved.nilai_skp as {{ dbt.type_numeric() }}) as nilai_skp,
        cast(resolved.rule_version as {{ dbt.type_string() }}) as rule_version,
        cast(resolved.predikat as {{ dbt.type_string() }}) as predikat,
        cast(resolved.predikat_urutan as {{ dbt.type_int() }}) as predikat_urutan,
        resolved.predikat is not null as is_resolved,
        cast(resolved.upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(resolved.source_row as {{ dbt.type_int() }}) as source_row
    from resolved
    left join instansi
        on resolved.instansi_kode = instansi.instansi_kode

)

select * from final
