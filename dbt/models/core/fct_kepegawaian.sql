-- One row per employee per periode: the current upload's snapshot of each instansi, one report
-- per NIP and periode (int_pegawai__riwayat applies the NIP-conflict rule).
-- No names, NIP or birth dates: pegawai_key is a hash of the NIP (see dim_pegawai).
-- Incremental by periode (macros/incremental_by_periode.sql): a run loads the periodes whose
-- current uploads changed and every later periode; a full rebuild gives the same rows.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{{ convert_uuid_columns() }}",
            "{{ delete_changed_periodes('int_pegawai__riwayat') }}",
        ],
    )
}}

with

riwayat as (

    select * from {{ ref('int_pegawai__riwayat') }}
    where {{ periodes_to_load() }}

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

joined as (

    select
        riwayat.*,
        instansi.instansi_key,
        jabatan.jabatan_key
    from riwayat
    left join instansi
        on riwayat.instansi_kode = instansi.instansi_kode
    left join jabatan
        on
            riwayat.position_family = jabatan.position_family
            and coalesce(riwayat.jf_jenjang, '-') = coalesce(jabatan.jf_jenjang, '-')
            and coalesce(riwayat.eselon_id, '-') = coalesce(jabatan.eselon_id, '-')

),

final as (

    select
        {{ surrogate_key(dbt.concat(['nip', "'|'", 'periode'])) }} as kepegawaian_key,
        cast(pegawai_key as {{ type_uuid() }}) as pegawai_key,
        cast(instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(periode as {{ dbt.type_string() }}) as periode,
        cast(snapshot_date as date) as snapshot_date,
        cast(status_pegawai as {{ dbt.type_string() }}) as status_pegawai,
        cast(jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(golongan as {{ dbt.type_string() }}) as golongan,
        cast(tingkat_pendidikan_id as {{ dbt.type_string() }}) as tingkat_pendidikan_id,
        cast(kedudukan_hukum_id as {{ dbt.type_string() }}) as kedudukan_hukum_id,
        cast(jenis_jabatan_id as {{ dbt.type_string() }}) as jenis_jabatan_id,
        cast(eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(position_family as {{ dbt.type_string() }}) as position_family,
        cast(jf_jenjang as {{ dbt.type_string() }}) as jf_jenjang,
        {{ whole_years_between('tanggal_lahir', 'snapshot_date') }} as usia_tahun,
        {{ whole_years_between('tmt_cpns', 'snapshot_date') }} as masa_kerja_tahun,
        cast(bup_tahun as {{ dbt.type_int() }}) as bup_tahun,
        -- whole years from the snapshot to the day the employee reaches BUP; negative when past
        {{ whole_years_between('snapshot_date', dbt.dateadd('year', 'bup_tahun', 'tanggal_lahir')) }}
            as tahun_menuju_pensiun,
        -- kedudukan hukum 01 = Aktif (SIASN code list)
        coalesce(kedudukan_hukum_id = '01', false) as is_aktif,
        cast(1 as {{ dbt.type_int() }}) as headcount,
        cast(upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(source_row as {{ dbt.type_int() }}) as source_row,
        -- added with the SCD2 star schema
        cast(pegawai_version_key as {{ type_uuid() }}) as pegawai_version_key,
        {{ periode_key('periode') }} as periode_key,
        cast(jabatan_key as {{ type_uuid() }}) as jabatan_key,
        cast(n_reports > 1 as {{ dbt.type_boolean() }}) as is_nip_conflict
    from joined

)

select * from final
