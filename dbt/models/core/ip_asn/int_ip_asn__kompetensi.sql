-- Training history summarised per employee and periode for the kompetensi dimension. A training
-- is completed when its end date (its start date when no end date is given) is on or before the
-- snapshot date; it is within the window when window_kompetensi_mulai < that date <= snapshot.
-- Which indicator a training type feeds and the level of a leadership training are seeds
-- (ip_asn_jenis_diklat, ip_asn_kepemimpinan_level). Exact duplicate rows count once.
-- A view: fct_ip_asn reads it once, inside its own build (a 5 M-row table written and read back
-- cost ~7 s more at national scale); its grain is tested there (unique ip_asn_key, the hash of nip and periode).
{{ config(materialized='view', schema='intermediate', contract={'enforced': false}) }}

with

diklat as (

    select distinct
        nip,
        periode,
        jenis_diklat_id,
        latihan_struktural_id,
        tanggal_mulai,
        tanggal_selesai,
        jumlah_jam
    from {{ ref('stg_siasn__diklat') }}

),

periode_rules as (

    select * from {{ ref('int_ip_asn__periode_rules') }}

),

jenis_diklat as (

    select * from {{ ref('ip_asn_jenis_diklat') }}

),

kepemimpinan_level as (

    select * from {{ ref('ip_asn_kepemimpinan_level') }}

),

classified as (

    select
        diklat.nip,
        diklat.periode,
        periode_rules.snapshot_date,
        periode_rules.awal_tahun,
        periode_rules.window_kompetensi_mulai,
        jenis_diklat.indikator,
        kepemimpinan_level.level_kepemimpinan,
        coalesce(diklat.jumlah_jam, 0) as jumlah_jam,
        coalesce(diklat.tanggal_selesai, diklat.tanggal_mulai) as tanggal_selesai_efektif
    from diklat
    inner join periode_rules
        on diklat.periode = periode_rules.periode
    left join jenis_diklat
        on
            periode_rules.rule_version = jenis_diklat.rule_version
            and diklat.jenis_diklat_id = jenis_diklat.jenis_diklat_id
            and periode_rules.snapshot_date between jenis_diklat.effective_from and jenis_diklat.effective_to
    left join kepemimpinan_level
        on
            periode_rules.rule_version = kepemimpinan_level.rule_version
            and diklat.latihan_struktural_id = kepemimpinan_level.latihan_struktural_id
            and periode_rules.snapshot_date
            between kepemimpinan_level.effective_from and kepemimpinan_level.effective_to

),

flagged as (

    select
        *,
        coalesce(tanggal_selesai_efektif <= snapshot_date, false) as is_selesai,
        coalesce(
            tanggal_selesai_efektif > window_kompetensi_mulai
            and tanggal_selesai_efektif <= snapshot_date,
            false
        ) as is_dalam_window,
        coalesce(
            tanggal_selesai_efektif >= awal_tahun
            and tanggal_selesai_efektif <= snapshot_date,
            false
        ) as is_tahun_berjalan
    from classified

),

final as (

    select
        nip,
        periode,
        count(*) as jumlah_riwayat_diklat,
        max(
            case
                when indikator = 'kepemimpinan' and is_selesai then level_kepemimpinan
            end
        ) as level_kepemimpinan_maks,
        sum(case when indikator = 'fungsional' and is_selesai then 1 else 0 end)
            as jumlah_diklat_fungsional,
        sum(case when indikator = 'teknis' and is_dalam_window then jumlah_jam else 0 end)
            as jp_teknis_window,
        sum(case when indikator = 'seminar' and is_dalam_window then 1 else 0 end)
            as jumlah_seminar_window,
        sum(case when is_tahun_berjalan then jumlah_jam else 0 end) as jp_tahun_berjalan
    from flagged
    group by
        nip,
        periode

)

select * from final
