-- The heaviest sanction counted per employee and periode: a sanction counts when it was imposed
-- within the disiplin window (window_disiplin_mulai < tanggal_hukuman <= snapshot) or is still
-- in force at the snapshot (imposed on or before it; end date missing or after it). The level is
-- the row's tingkat_hukuman, else the level of its jenis hukuman (code_jenis_hukuman); severity
-- order comes from ip_asn_disiplin.bobot_berat.
{{ config(materialized='table', schema='intermediate', contract={'enforced': false}) }}

with

hukdis as (

    select
        nip,
        periode,
        jenis_hukuman_id,
        tingkat_hukuman,
        tanggal_hukuman,
        tanggal_akhir
    from {{ ref('stg_siasn__hukdis') }}

),

jenis_hukuman as (

    select
        siasn_id as jenis_hukuman_id,
        tingkat
    from {{ ref('code_jenis_hukuman') }}

),

periode_rules as (

    select * from {{ ref('int_ip_asn__periode_rules') }}

),

disiplin as (

    select * from {{ ref('ip_asn_disiplin') }}

),

counted as (

    select
        hukdis.nip,
        hukdis.periode,
        periode_rules.rule_version,
        periode_rules.snapshot_date,
        coalesce(hukdis.tingkat_hukuman, jenis_hukuman.tingkat) as tingkat_hukuman
    from hukdis
    inner join periode_rules
        on hukdis.periode = periode_rules.periode
    left join jenis_hukuman
        on hukdis.jenis_hukuman_id = jenis_hukuman.jenis_hukuman_id
    where
        hukdis.tanggal_hukuman <= periode_rules.snapshot_date
        and (
            hukdis.tanggal_hukuman > periode_rules.window_disiplin_mulai
            or hukdis.tanggal_akhir is null
            or hukdis.tanggal_akhir > periode_rules.snapshot_date
        )

),

weighted as (

    select
        counted.nip,
        counted.periode,
        counted.tingkat_hukuman,
        disiplin.bobot_berat,
        row_number() over (
            partition by counted.nip, counted.periode
            order by disiplin.bobot_berat desc
        ) as berat_rank
    from counted
    inner join disiplin
        on
            counted.rule_version = disiplin.rule_version
            and counted.tingkat_hukuman = disiplin.tingkat_hukuman
            and counted.snapshot_date between disiplin.effective_from and disiplin.effective_to

),

final as (

    select
        nip,
        periode,
        tingkat_hukuman as tingkat_hukuman_terberat,
        bobot_berat
    from weighted
    where berat_rank = 1

)

select * from final
