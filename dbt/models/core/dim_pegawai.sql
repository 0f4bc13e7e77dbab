-- Employees as a slowly changing dimension of type 2: one row per version of an employee.
-- A new version starts when golongan, position (jenis jabatan, eselon, jabatan name), unit
-- (unor), instansi, education or status (status pegawai, kedudukan hukum) changes from one
-- reported periode to the next (dbt_project.yml: vars.scd2_tracked_columns). Versions are derived
-- from the periode history of staging (int_pegawai__riwayat), not from run-time snapshots, so
-- several periodes in one run, periodes arriving out of order and a full rebuild all give the
-- same table. valid_from / valid_to are periode start dates (valid_to exclusive, 9999-12-31 for
-- the open version). The employee is one pegawai_key across instansi: a move is a new version.
-- Personal data: restricted to core; marts expose pegawai_key only.
with

riwayat as (

    select * from {{ ref('int_pegawai__riwayat') }}
    where is_version_end

),

instansi as (

    select
        instansi_key,
        instansi_kode
    from {{ ref('dim_instansi') }}

),

jabatan as (

    select
        jabatan_key,
        position_family,
        jf_jenjang,
        eselon_id
    from {{ ref('dim_jabatan') }}

),

final as (

    select
        cast(riwayat.pegawai_key as {{ type_uuid() }}) as pegawai_key,
        cast(riwayat.nip as {{ dbt.type_string() }}) as nip,
        cast(riwayat.nip_lama as {{ dbt.type_string() }}) as nip_lama,
        cast(riwayat.nama as {{ dbt.type_string() }}) as nama,
        cast(riwayat.gelar_depan as {{ dbt.type_string() }}) as gelar_depan,
        cast(riwayat.gelar_belakang as {{ dbt.type_string() }}) as gelar_belakang,
        cast(riwayat.tempat_lahir as {{ dbt.type_string() }}) as tempat_lahir,
        cast(riwayat.tanggal_lahir as date) as tanggal_lahir,
        cast(riwayat.jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(riwayat.agama_id as {{ dbt.type_string() }}) as agama_id,
        cast(riwayat.tmt_cpns as date) as tmt_cpns,
        cast(riwayat.tmt_pns as date) as tmt_pns,
        cast(riwayat.instansi_kode as {{ dbt.type_string() }}) as instansi_kode_terakhir,
        cast(riwayat.periode as {{ dbt.type_string() }}) as periode_terakhir,
        cast(riwayat.upload_id as {{ dbt.type_string() }}) as upload_id,

        -- SCD2
        cast(riwayat.pegawai_version_key as {{ type_uuid() }}) as pegawai_version_key,
        cast(riwayat.version_no as {{ dbt.type_int() }}) as version_no,
        cast(riwayat.valid_from_periode as {{ dbt.type_string() }}) as periode_awal,
        cast(riwayat.valid_from as date) as valid_from,
        cast(riwayat.valid_to as date) as valid_to,
        cast(riwayat.is_latest_report as {{ dbt.type_boolean() }}) as is_current,

        -- tracked attributes of the version
        cast(instansi.instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(riwayat.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(riwayat.status_pegawai as {{ dbt.type_string() }}) as status_pegawai,
        cast(riwayat.kedudukan_hukum_id as {{ dbt.type_string() }}) as kedudukan_hukum_id,
        cast(riwayat.golongan as {{ dbt.type_string() }}) as golongan,
        cast(riwayat.tingkat_pendidikan_id as {{ dbt.type_string() }}) as tingkat_pendidikan_id,
        cast(riwayat.unor_id as {{ dbt.type_string() }}) as unor_id,
        cast(riwayat.unor_nama as {{ dbt.type_string() }}) as unor_nama,
        cast(riwayat.jenis_jabatan_id as {{ dbt.type_string() }}) as jenis_jabatan_id,
        cast(riwayat.eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(riwayat.jabatan_nama as {{ dbt.type_string() }}) as jabatan_nama,
        cast(jabatan.jabatan_key as {{ type_uuid() }}) as jabatan_key,
        cast(riwayat.position_family as {{ dbt.type_string() }}) as position_family,
        cast(riwayat.jf_jenjang as {{ dbt.type_string() }}) as jf_jenjang,
        cast(riwayat.bup_tahun as {{ dbt.type_int() }}) as bup_tahun
    from riwayat
    left join instansi
        on riwayat.instansi_kode = instansi.instansi_kode
    left join jabatan
        on
            riwayat.position_family = jabatan.position_family
            and coalesce(riwayat.jf_jenjang, '-') = coalesce(jabatan.jf_jenjang, '-')
            and coalesce(riwayat.eselon_id, '-') = coalesce(jabatan.eselon_id, '-')

)

select * from final
