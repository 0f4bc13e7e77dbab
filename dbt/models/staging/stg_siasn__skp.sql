-- Performance-appraisal rows of the current upload only (see stg_siasn__pegawai).
with

source as (

    select * from {{ source('raw', 'skp') }}

),

current_uploads as (

    select
        upload_id,
        periode_date,
        snapshot_date,
        received_at,
        upload_order
    from {{ ref('stg_audit__uploads') }}
    where
        jenis = 'skp'
        and is_current_loaded

),

renamed as (

    select
        cast(source.upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(source.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(source.periode as {{ dbt.type_string() }}) as periode,
        current_uploads.periode_date,
        current_uploads.snapshot_date,
        current_uploads.received_at,
        current_uploads.upload_order,
        -- unique order of the reported rows: later upload first, then later row of the file
        current_uploads.upload_order * 1000000000 + source.source_row as report_order,
        cast(source.source_file as {{ dbt.type_string() }}) as source_file,
        cast(source.source_row as {{ dbt.type_int() }}) as source_row,

        cast(source.nip as {{ dbt.type_string() }}) as nip,
        cast(source.tahun as {{ dbt.type_int() }}) as tahun,
        cast(source.predikat as {{ dbt.type_string() }}) as predikat_kinerja_id,
        cast(source.nilai_skp as {{ dbt.type_numeric() }}) as nilai_skp

    from source
    inner join current_uploads
        on source.upload_id = current_uploads.upload_id

)

select * from renamed
