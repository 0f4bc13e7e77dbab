-- BKN Award inputs per instansi and year, wide: the raw value of every indicator of
-- bkn_award_indikator and the eligibility inputs. The year's reference periode is the latest
-- periode of that year in fct_ip_asn; employee indicators are read at it, upload indicators over
-- every periode of the year. Parameters come from bkn_award_parameter and workforce_parameter.
{{ config(materialized='table', schema='intermediate', contract={'enforced': false}) }}

with

ip_asn as (

    select * from {{ ref('fct_ip_asn') }}

),

uploads as (

    select * from {{ ref('stg_audit__uploads') }}

),

award_parameter as (

    select * from {{ ref('bkn_award_parameter') }}

),

workforce_parameter as (

    select * from {{ ref('workforce_parameter') }}

),

tahun_acuan as (

    select
        cast(extract(year from snapshot_date) as {{ dbt.type_int() }}) as tahun,
        max(periode) as periode_acuan,
        max(snapshot_date) as snapshot_acuan
    from ip_asn
    group by cast(extract(year from snapshot_date) as {{ dbt.type_int() }})

),

parameter as (

    select
        tahun_acuan.tahun,
        tahun_acuan.periode_acuan,
        tahun_acuan.snapshot_acuan,
        max(case when award_parameter.parameter = 'batas_upload_hari' then award_parameter.nilai end)
            as batas_upload_hari,
        max(case when award_parameter.parameter = 'skp_baik_poin_minimum' then award_parameter.nilai end)
            as skp_baik_poin_minimum,
        max(case when award_parameter.parameter = 'min_cakupan' then award_parameter.nilai end)
            as min_cakupan,
        max(case when award_parameter.parameter = 'min_pegawai' then award_parameter.nilai end)
            as min_pegawai,
        max(
            case when workforce_parameter.parameter = 'jp_tahunan_minimum' then workforce_parameter.nilai end
        ) as jp_tahunan_minimum
    from tahun_acuan
    left join award_parameter
        on tahun_acuan.snapshot_acuan between award_parameter.effective_from and award_parameter.effective_to
    left join workforce_parameter
        on
            tahun_acuan.snapshot_acuan
            between workforce_parameter.effective_from and workforce_parameter.effective_to
    group by
        tahun_acuan.tahun,
        tahun_acuan.periode_acuan,
        tahun_acuan.snapshot_acuan

),

pegawai as (

    select
        parameter.tahun,
        parameter.periode_acuan,
        ip_asn.instansi_key,
        ip_asn.instansi_kode,
        count(*) as jumlah_pegawai,
        avg(ip_asn.skor_total) as rata_rata_ip_asn,
        avg(ip_asn.skor_disiplin) as rata_rata_skor_disiplin,
        avg(case when ip_asn.is_input_lengkap then 1.0 else 0.0 end) as cakupan_input,
        avg(case when ip_asn.jp_tahun_berjalan >= parameter.jp_tahunan_minimum then 1.0 else 0.0 end)
            as share_20jp,
        avg(case when ip_asn.kinerja_missing then 0.0 else 1.0 end) as cakupan_skp,
        sum(
            case
                when not ip_asn.kinerja_missing and ip_asn.skor_kinerja >= parameter.skp_baik_poin_minimum
                    then 1.0
                else 0.0
            end
        ) / nullif(sum(case when ip_asn.kinerja_missing then 0 else 1 end), 0) as share_skp_baik
    from ip_asn
    inner join parameter
        on ip_asn.periode = parameter.periode_acuan
    group by
        parameter.tahun,
        parameter.periode_acuan,
        ip_asn.instansi_key,
        ip_asn.instansi_kode

),

uploads_tahun as (

    select
        parameter.tahun,
        parameter.batas_upload_hari,
        uploads.instansi_kode,
        uploads.periode,
        uploads.jenis,
        uploads.snapshot_date,
        uploads.status,
        uploads.received_at,
        uploads.rows_read,
        uploads.rows_accepted
    from uploads
    inner join parameter
        on cast(extract(year from uploads.snapshot_date) as {{ dbt.type_int() }}) = parameter.tahun

),

baris as (

    select
        tahun,
        instansi_kode,
        sum(coalesce(rows_accepted, 0)) as jumlah_baris_diterima,
        sum(coalesce(rows_read, 0)) as jumlah_baris_dibaca
    from uploads_tahun
    group by
        tahun,
        instansi_kode

),

-- every (periode, jenis) delivered by anyone in the year is expected from every instansi
pengiriman_wajib as (

    select distinct
        tahun,
        periode,
        jenis,
        snapshot_date,
        batas_upload_hari
    from uploads_tahun

),

tepat_waktu as (

    select distinct
        tahun,
        instansi_kode,
        periode,
        jenis
    from uploads_tahun
    where
        status = 'loaded'
        and cast(received_at as date)
        <= cast({{ dbt.dateadd('day', 'batas_upload_hari', 'snapshot_date') }} as date)

),

ketepatan as (

    select
        pegawai.tahun,
        pegawai.instansi_kode,
        count(*) as jumlah_pengiriman_wajib,
        count(tepat_waktu.jenis) as jumlah_pengiriman_tepat_waktu
    from pegawai
    inner join pengiriman_wajib
        on pegawai.tahun = pengiriman_wajib.tahun
    left join tepat_waktu
        on
            pegawai.tahun = tepat_waktu.tahun
            and pegawai.instansi_kode = tepat_waktu.instansi_kode
            and pengiriman_wajib.periode = tepat_waktu.periode
            and pengiriman_wajib.jenis = tepat_waktu.jenis
    group by
        pegawai.tahun,
        pegawai.instansi_kode

),

final as (

    select
        pegawai.tahun,
        pegawai.periode_acuan,
        pegawai.instansi_key,
        pegawai.instansi_kode,
        pegawai.jumlah_pegawai,
        pegawai.cakupan_input,
        pegawai.rata_rata_ip_asn,
        pegawai.share_20jp,
        pegawai.cakupan_skp,
        coalesce(pegawai.share_skp_baik, 0) as share_skp_baik,
        coalesce(
            cast(baris.jumlah_baris_diterima as {{ dbt.type_numeric() }})
            / nullif(baris.jumlah_baris_dibaca, 0),
            0
        ) as tingkat_baris_diterima,
        coalesce(
            cast(ketepatan.jumlah_pengiriman_tepat_waktu as {{ dbt.type_numeric() }})
            / nullif(ketepatan.jumlah_pengiriman_wajib, 0),
            0
        ) as ketepatan_waktu_upload,
        pegawai.rata_rata_skor_disiplin,
        coalesce(baris.jumlah_baris_dibaca, 0) as jumlah_baris_dibaca,
        coalesce(baris.jumlah_baris_diterima, 0) as jumlah_baris_diterima,
        coalesce(ketepatan.jumlah_pengiriman_wajib, 0) as jumlah_pengiriman_wajib,
        coalesce(ketepatan.jumlah_pengiriman_tepat_waktu, 0) as jumlah_pengiriman_tepat_waktu,
        (
            pegawai.jumlah_pegawai >= parameter.min_pegawai
            and pegawai.cakupan_input >= parameter.min_cakupan
        ) as is_layak
    from pegawai
    inner join parameter
        on pegawai.tahun = parameter.tahun
    left join baris
        on
            pegawai.tahun = baris.tahun
            and pegawai.instansi_kode = baris.instansi_kode
    left join ketepatan
        on
            pegawai.tahun = ketepatan.tahun
            and pegawai.instansi_kode = ketepatan.instansi_kode

)

select * from final
