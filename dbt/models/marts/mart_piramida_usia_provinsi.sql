-- Age pyramid per periode x province x 5-year age band x gender for BI (aggregates only).
-- The province is that of the employing regional government; instansi pusat (no province in
-- the register) form their own group with provinsi_kode '00'.
with

kepegawaian as (

    select
        periode,
        periode_key,
        instansi_key,
        jenis_kelamin,
        usia_tahun,
        is_aktif,
        headcount
    from {{ ref('fct_kepegawaian') }}

),

instansi as (

    select
        instansi_key,
        provinsi_kode,
        provinsi_nama
    from {{ ref('dim_instansi') }}

),

banded as (

    select
        kepegawaian.periode,
        kepegawaian.periode_key,
        coalesce(instansi.provinsi_kode, '00') as provinsi_kode,
        coalesce(instansi.provinsi_nama, 'Instansi Pusat') as provinsi_nama,
        cast(floor(kepegawaian.usia_tahun / 5.0) * 5 as {{ dbt.type_int() }}) as usia_min,
        kepegawaian.jenis_kelamin,
        kepegawaian.is_aktif,
        kepegawaian.headcount
    from kepegawaian
    left join instansi
        on kepegawaian.instansi_key = instansi.instansi_key

),

aggregated as (

    select
        periode,
        periode_key,
        provinsi_kode,
        provinsi_nama,
        usia_min,
        jenis_kelamin,
        sum(headcount) as jumlah_pegawai,
        sum(case when is_aktif then headcount else 0 end) as jumlah_aktif
    from banded
    group by
        periode,
        periode_key,
        provinsi_kode,
        provinsi_nama,
        usia_min,
        jenis_kelamin

),

final as (

    select
        cast(periode as {{ dbt.type_string() }}) as periode,
        cast(periode_key as {{ dbt.type_int() }}) as periode_key,
        cast(provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(provinsi_nama as {{ dbt.type_string() }}) as provinsi_nama,
        cast(
            {{ dbt.concat([
                'cast(usia_min as ' ~ dbt.type_string() ~ ')',
                "'-'",
                'cast(usia_min + 4 as ' ~ dbt.type_string() ~ ')'
            ]) }} as {{ dbt.type_string() }}
        ) as kelompok_usia,
        cast(usia_min as {{ dbt.type_int() }}) as usia_min,
        cast(jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(jumlah_aktif as {{ dbt.type_int() }}) as jumlah_aktif
    from aggregated

)

select * from final
