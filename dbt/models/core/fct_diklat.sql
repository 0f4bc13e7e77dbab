-- One row per training of an employee. Every diklat upload carries the employee's whole
-- training history, so the employee's latest report (periode desc, received_at desc,
-- upload_id desc) is authoritative: corrections and deletions in a later upload win, and an
-- employee who moved between instansi is counted once. Exact duplicates inside that report
-- (same type, level, start date and name) are kept once. No NIP: pegawai_key only.
with

diklat as (

    select * from {{ ref('stg_siasn__diklat') }}

),

-- the columns the deduplication needs (staging is read by each aggregate directly: a CTE read
-- twice would be materialised whole, 10 M rows)
diklat_report as (

    select
        nip,
        upload_order,
        report_order,
        jenis_diklat_id,
        latihan_struktural_id,
        tanggal_mulai,
        nama_diklat
    from {{ ref('stg_siasn__diklat') }}

),

-- the employee's latest report: the largest upload_order (periode, received_at, upload_id) among
-- the uploads reporting the NIP; aggregates instead of windows over the wide rows
latest_upload as (

    select
        nip,
        max(upload_order) as upload_order,
        -- hashed once per employee here rather than once per training row
        {{ surrogate_key('nip') }} as pegawai_key
    from {{ ref('stg_siasn__diklat') }}
    group by nip

),

-- one row per natural key inside that report: the first row of the file
kept as (

    select
        latest_upload.pegawai_key,
        min(diklat_report.report_order) as report_order
    from diklat_report
    inner join latest_upload
        on
            diklat_report.nip = latest_upload.nip
            and diklat_report.upload_order = latest_upload.upload_order
    -- pegawai_key stands for the NIP (its hash): one key column fewer to group on
    group by
        latest_upload.pegawai_key,
        diklat_report.jenis_diklat_id,
        diklat_report.latihan_struktural_id,
        diklat_report.tanggal_mulai,
        diklat_report.nama_diklat

),

deduplicated as (

    select
        diklat.*,
        kept.pegawai_key
    from diklat
    inner join kept
        on diklat.report_order = kept.report_order

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
            'deduplicated.jenis_diklat_id', "'|'",
            "coalesce(deduplicated.latihan_struktural_id, '-')", "'|'",
            'cast(deduplicated.tanggal_mulai as ' ~ dbt.type_string() ~ ')', "'|'",
            "coalesce(deduplicated.nama_diklat, '-')"
        ])) }} as diklat_key,
        cast(deduplicated.pegawai_key as {{ type_uuid() }}) as pegawai_key,
        cast(instansi.instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(deduplicated.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(deduplicated.periode as {{ dbt.type_string() }}) as periode,
        {{ periode_key('deduplicated.periode') }} as periode_key,
        cast(deduplicated.jenis_diklat_id as {{ dbt.type_string() }}) as jenis_diklat_id,
        cast(deduplicated.latihan_struktural_id as {{ dbt.type_string() }}) as latihan_struktural_id,
        cast(deduplicated.nama_diklat as {{ dbt.type_string() }}) as nama_diklat,
        cast(deduplicated.tanggal_mulai as date) as tanggal_mulai,
        cast(deduplicated.tanggal_selesai as date) as tanggal_selesai,
        cast(extract(year from deduplicated.tanggal_mulai) as {{ dbt.type_int() }}) as tahun,
        cast(
            extract(year from deduplicated.tanggal_mulai) * 100 + extract(month from deduplicated.tanggal_mulai)
            as {{ dbt.type_int() }}
        ) as mulai_periode_key,
        cast(deduplicated.jumlah_jam as {{ dbt.type_int() }}) as jumlah_jam,
        cast(
            {{ dbt.datediff('deduplicated.tanggal_mulai', 'deduplicated.tanggal_selesai', 'day') }} + 1  -- noqa: LT05
            as {{ dbt.type_int() }}
        ) as durasi_hari,
        cast(deduplicated.penyelenggara as {{ dbt.type_string() }}) as penyelenggara,
        cast(deduplicated.nomor_sertifikat as {{ dbt.type_string() }}) as nomor_sertifikat,
        cast(deduplicated.upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(deduplicated.source_row as {{ dbt.type_int() }}) as source_row
    from deduplicated
    left join instansi
        on deduplicated.instansi_kode = instansi.instansi_kode

)

select * from final
