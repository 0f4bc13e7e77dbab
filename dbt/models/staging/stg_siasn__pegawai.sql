-- Employee master rows of the current upload only: an instansi may re-upload a periode, and
-- only the upload marked current (and loaded) in audit.uploads counts.
with

source as (

    select * from {{ source('raw', 'pegawai') }}

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
        jenis = 'pegawai'
        and is_current_loaded

),

renamed as (

    select
        -- lineage
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

        -- identity (personal data: never beyond core)
        cast(source.nip as {{ dbt.type_string() }}) as nip,
        cast(source.nip_lama as {{ dbt.type_string() }}) as nip_lama,
        cast(source.nama as {{ dbt.type_string() }}) as nama,
        cast(source.gelar_depan as {{ dbt.type_string() }}) as gelar_depan,
        cast(source.gelar_belakang as {{ dbt.type_string() }}) as gelar_belakang,
        cast(source.tempat_lahir as {{ dbt.type_string() }}) as tempat_lahir,
        cast(source.tanggal_lahir as date) as tanggal_lahir,

        -- codes
        cast(source.jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(source.agama_id as {{ dbt.type_string() }}) as agama_id,
        cast(source.status_pegawai as {{ dbt.type_string() }}) as status_pegawai,
        cast(source.kedudukan_hukum_id as {{ dbt.type_string() }}) as kedudukan_hukum_id,
        cast(source.jenis_pegawai_id as {{ dbt.type_string() }}) as jenis_pegawai_id,
        cast(source.tingkat_pendidikan_id as {{ dbt.type_string() }}) as tingkat_pendidikan_id,
        cast(source.pendidikan_nama as {{ dbt.type_string() }}) as pendidikan_nama,
        cast(source.tahun_lulus as {{ dbt.type_int() }}) as tahun_lulus,

        -- career
        cast(source.tmt_cpns as date) as tmt_cpns,
        cast(source.tmt_pns as date) as tmt_pns,
        cast(source.unor_id as {{ dbt.type_string() }}) as unor_id,
        cast(source.unor_nama as {{ dbt.type_string() }}) as unor_nama,
        cast(source.jenis_jabatan_id as {{ dbt.type_string() }}) as jenis_jabatan_id,
        cast(source.jabatan_nama as {{ dbt.type_string() }}) as jabatan_nama,
        cast(source.eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(source.golongan as {{ dbt.type_string() }}) as golongan,
        cast(source.tmt_golongan as date) as tmt_golongan,
        cast(source.tmt_jabatan as date) as tmt_jabatan

    from source
    inner join current_uploads
        on source.upload_id = current_uploads.upload_id

)

select * from renamed
