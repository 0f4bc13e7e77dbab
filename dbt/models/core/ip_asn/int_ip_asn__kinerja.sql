-- The SKP that counts per employee and periode: the latest year tahun <= skp_tahun_maks
-- (year(snapshot) - skp_tahun_mundur) with a usable predikat. Years before
-- skp_predikat_dari_tahun map their 0-100 score to a predikat through ip_asn_skp_band first
-- (falling back to a predikat when no score is given); later years use the predikat (falling
-- back to the band of a score). Same year twice: the later upload, then the later source row.
{{ config(materialized='table', schema='intermediate', contract={'enforced': false}) }}

with

skp as (

    select
        upload_id,
        source_row,
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
        upload_id,
        source_row,
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

ranked as (

    select
        *,
        row_number() over (
            partition by nip, periode
            order by tahun desc, upload_id desc, source_row desc
        ) as skp_rank
    from resolved
    where predikat_kinerja_id is not null

),

final as (

    select
        nip,
        periode,
        tahun as skp_tahun,
        nilai_skp,
        predikat_kinerja_id,
        skp_sumber
    from ranked
    where skp_rank = 1

)

select * from final
