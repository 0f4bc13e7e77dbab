-- Headcount per periode x instansi x golongan x gender x status for BI (aggregates only: no NIP,
-- names or birth dates).
with

kepegawaian as (

    select
        periode,
        periode_key,
        instansi_key,
        golongan,
        jenis_kelamin,
        status_pegawai,
        is_aktif,
        headcount
    from {{ ref('fct_kepegawaian') }}

),

aggregated as (

    select
        periode,
        periode_key,
        instansi_key,
        golongan,
        jenis_kelamin,
        status_pegawai,
        sum(headcount) as jumlah_pegawai,
        sum(case when is_aktif then headcount else 0 end) as jumlah_aktif
    from kepegawaian
    group by
        periode,
        periode_key,
        instansi_key,
        golongan,
        jenis_kelamin,
        status_pegawai

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

golongan as (

    select * from {{ ref('dim_golongan') }}

),

final as (

    select
        cast(aggregated.periode as {{ dbt.type_string() }}) as periode,
        cast(aggregated.periode_key as {{ dbt.type_int() }}) as periode_key,
        {{ key_text('aggregated.instansi_key') }} as instansi_key,
        cast(instansi.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi.nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(instansi.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(instansi.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(aggregated.golongan as {{ dbt.type_string() }}) as golongan,
        cast(golongan.skema as {{ dbt.type_string() }}) as skema_golongan,
        cast(golongan.urutan as {{ dbt.type_int() }}) as golongan_urutan,
        cast(aggregated.jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(aggregated.status_pegawai as {{ dbt.type_string() }}) as status_pegawai,
        cast(aggregated.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(aggregated.jumlah_aktif as {{ dbt.type_int() }}) as jumlah_aktif
    from aggregated
    left join instansi
        on aggregated.instansi_key = instansi.instansi_key
    left join golongan
        on aggregated.golongan = golongan.golongan

)

select * from final
