-- BKN Award winners per year: the overall winners (kategori_penghargaan 'umum') and the winners
-- of each criterion, per group (jenis_instansi), with their rank and score.
with

umum as (

    select
        tahun,
        'umum' as kategori_penghargaan,
        jenis_instansi,
        peringkat_kelompok as peringkat,
        instansi_key,
        instansi_kode,
        instansi_nama,
        provinsi_kode,
        skor_komposit as skor
    from {{ ref('mart_bkn_award_instansi') }}
    where is_pemenang_umum

),

per_kriteria as (

    select
        tahun,
        kriteria as kategori_penghargaan,
        jenis_instansi,
        peringkat_kelompok as peringkat,
        instansi_key,
        instansi_kode,
        instansi_nama,
        provinsi_kode,
        skor_kriteria as skor
    from {{ ref('mart_bkn_award_kriteria') }}
    where is_pemenang

),

unioned as (

    select * from umum
    union all
    select * from per_kriteria

),

final as (

    select
        cast(tahun as {{ dbt.type_int() }}) as tahun,
        cast(kategori_penghargaan as {{ dbt.type_string() }}) as kategori_penghargaan,
        cast(jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(peringkat as {{ dbt.type_int() }}) as peringkat,
        cast(instansi_key as {{ dbt.type_string() }}) as instansi_key,
        cast(instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi_nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(skor as {{ dbt.type_numeric() }}) as skor
    from unioned

)

select * from final
