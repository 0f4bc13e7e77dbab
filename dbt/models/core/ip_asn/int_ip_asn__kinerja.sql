-- The SKP that counts per employee and periode: the latest year tahun <= skp_tahun_maks
-- (year(snapshot) - skp_tahun_mundur) with a usable predikat. Years before
-- skp_predikat_dari_tahun map their 0-100 score to a predikat through ip_asn_skp_band first
-- (falling back to a predikat when no score is given); later years use the predikat (falling
-- back to the band of a score). Same year twice: the later upload (staging's report_order:
-- periode, received_at, upload_id), then the later source row.
-- A view: fct_ip_asn reads it once, inside its own build (a 5 M-row table written and read back
-- cost ~7 s more at national scale); its grain is tested there (unique ip_asn_key, the hash of nip and periode).
{{ config(materialized='view', schema='intermediate', contract={'enforced': false}) }}

with

skp as (

    select
        report_order,
        nip,
        periode,
        tahun,
        predikat_kinerja_id,
        nilai_skp
    from {{ ref('stg_siasn__skp') }}

),

periode_rules as (

    select * from {{ ref('int_ip_asn__periode_rules') }}

),

skp_band as (

    select * from {{ ref('ip_asn_skp_band') }}

),

eligible as (

    select
        skp.*,
        periode_rules.rule_version,
        periode_rules.snapshot_date,
        periode_rules.skp_predikat_dari_tahun
    from skp
    inner join periode_rules
        on skp.periode = periode_rules.periode
    where skp.tahun <= periode_rules.skp_tahun_maks

),

banded as (

    select
        eligible.*,
        skp_band.predikat_kinerja_id as predikat_band
    from eligible
    left join skp_band
        on
            eligible.rule_version = skp_band.rule_version
            and eligible.snapshot_date between skp_band.effective_from and skp_band.effective_to
            and (skp_band.nilai_dari is null or eligible.nilai_skp >= skp_band.nilai_dari)
            and (skp_band.nilai_sampai is null or eligible.nilai_skp < skp_band.nilai_sampai)
            and eligible.nilai_skp is not null

),

resolved as (

    select
        report_order,
        nip,
        periode,
        tahun,
        nilai_skp,
        case
            when tahun < skp_predikat_dari_tahun then coalesce(predikat_band, predikat_kinerja_id)
            else coalesce(predikat_kinerja_id, predikat_band)
        end as predikat_kinerja_id,
        case
            when tahun < skp_predikat_dari_tahun and predikat_band is not null then 'nilai_skp'
            when tahun < skp_predikat_dari_tahun then 'predikat'
            when predikat_kinerja_id is not null then 'predikat'
            else 'nilai_skp'
        end as skp_sumber
    from banded

),

-- one order over year, then report: the latest year wins, then the latest report of it. The
-- largest value per employee and periode is an aggregate, joined back on that unique number (a
-- row_number() window sorted the 10 M rows on three keys: ~2x the CPU at national scale).
-- Staging's report_order is upload_order * 10^9 + source_row, below 10^15 while there are fewer
-- than a million uploads; year * 10^15 stays within a bigint for any year below 9000.
ranked as (

    select
        *,
        cast(tahun as {{ dbt.type_bigint() }}) * 1000000000000000 + report_order as skp_order
    from resolved
    where predikat_kinerja_id is not null

),

latest as (

    select max(skp_order) as skp_order
    from ranked
    group by
        nip,
        periode

),

final as (

    select
        ranked.nip,
        ranked.periode,
        ranked.tahun as skp_tahun,
        ranked.nilai_skp,
        ranked.predikat_kinerja_id,
        ranked.skp_sumber
    from ranked
    inner join latest
        on ranked.skp_order = latest.skp_order

)

select * from final
