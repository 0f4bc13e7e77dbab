-- Current version of every employee (the latest periode in which an instansi reported them).
-- Personal data: restricted to core; marts expose pegawai_key only. SCD2 history through a
-- dbt snapshot is a later issue.
with

pegawai as (

    select * from {{ ref('stg_siasn__pegawai') }}

),

ranked as (

    select
        pegawai.*,
        row_number() over (
            partition by pegawai.nip
            order by pegawai.periode desc, pegawai.upload_id desc
        ) as version_rank
    from pegawai

),

final as (

    select
        cast({{ dbt.hash('nip') }} as {{ dbt.type_string() }}) as pegawai_key,
        cast(nip as {{ dbt.type_string() }}) as nip,
        cast(nip_lama as {{ dbt.type_string() }}) as nip_lama,
        cast(nama as {{ dbt.type_string() }}) as nama,
        cast(gelar_depan as {{ dbt.type_string() }}) as gelar_depan,
        cast(gelar_belakang as {{ dbt.type_string() }}) as gelar_belakang,
        cast(tempat_lahir as {{ dbt.type_string() }}) as tempat_lahir,
        cast(tanggal_lahir as date) as tanggal_lahir,
        cast(jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(agama_id as {{ dbt.type_string() }}) as agama_id,
        cast(tmt_cpns as date) as tmt_cpns,
        cast(tmt_pns as date) as tmt_pns,
        cast(instansi_kode as {{ dbt.type_string() }}) as instansi_kode_terakhir,
        cast(periode as {{ dbt.type_string() }}) as periode_terakhir,
        cast(upload_id as {{ dbt.type_string() }}) as upload_id
    from ranked
    where version_rank = 1

)

select * from final
