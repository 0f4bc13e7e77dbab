-- One row per disciplinary sanction of an employee. As for training, the employee's latest
-- hukdis report (periode desc, received_at desc, upload_id desc) is authoritative; exact
-- duplicates (same type and start date) are kept once. The level comes from the upload, else
-- from the sanction type (code_jenis_hukuman.tingkat). No NIP: pegawai_key only.
with

hukdis as (

    select * from {{ ref('stg_siasn__hukdis') }}

),

-- the employee's latest report: the largest upload_order (periode, received_at, upload_id) among
-- the uploads reporting the NIP; aggregates instead of windows over the wide rows
latest_upload as (

    select
        nip,
        max(upload_order) as upload_order
    from hukdis
    group by nip

),

-- one row per natural key inside that report: the first row of the file
kept as (

    select min(hukdis.report_order) as report_order
    from hukdis
    inner join latest_upload
        on
            hukdis.nip = latest_upload.nip
            and hukdis.upload_order = latest_upload.upload_order
    group by
        hukdis.nip,
        hukdis.jenis_hukuman_id,
        hukdis.tanggal_hukuman

),

deduplicated as (

    select hukdis.*
    from hukdis
    inner join kept
        on hukdis.report_order = kept.report_order

),

jenis_hukuman as (

    select
        siasn_id as jenis_hukuman_id,
        tingkat
    from {{ ref('code_jenis_hukuman') }}

),

instansi as (

    select
        instansi_key,
        instansi_kode
    from {{ ref('dim_instansi') }}

),

final as (

    select
        {{ surrogate_key(dbt.concat([
            'deduplicated.nip', "'|'",
            'deduplicated.jenis_hukuman_id', "'|'",
            'cast(deduplicated.tanggal_hukuman as ' ~ dbt.type_string() ~ ')'
        ])) }} as hukdis_key,
        {{ surrogate_key('deduplicated.nip') }} as pegawai_key,
        cast(instansi.instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(deduplicated.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(deduplicated.periode as {{ dbt.type_string() }}) as periode,
        {{ periode_key('deduplicated.periode') }} as periode_key,
        cast(deduplicated.jenis_hukuman_id as {{ dbt.type_string() }}) as jenis_hukuman_id,
        cast(
            coalesce(deduplicated.tingkat_hukuman, jenis_hukuman.tingkat) as {{ dbt.type_string() }}
        ) as tingkat_hukuman,
        cast(deduplicated.tanggal_hukuman as date) as tanggal_hukuman,
        cast(deduplicated.tanggal_akhir as date) as tanggal_akhir,
        cast(extract(year from deduplicated.tanggal_hukuman) as {{ dbt.type_int() }}) as tahun,
        cast(
            {{ dbt.datediff('deduplicated.tanggal_hukuman', 'deduplicated.tanggal_akhir', 'day') }}
            as {{ dbt.type_int() }}
        ) as durasi_hari,
        cast(deduplicated.nomor_sk as {{ dbt.type_string() }}) as nomor_sk,
        cast(deduplicated.tanggal_sk as date) as tanggal_sk,
        cast(deduplicated.alasan as {{ dbt.type_string() }}) as alasan,
        cast(deduplicated.upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(deduplicated.source_row as {{ dbt.type_int() }}) as source_row
    from deduplicated
    left join jenis_hukuman
        on deduplicated.jenis_hukuman_id = jenis_hukuman.jenis_hukuman_id
    left join instansi
        on deduplicated.instansi_kode = instansi.instansi_kode

)

select * from final
