-- BKN Award tally per province and year: awards won by the province government and its
-- kabupaten/kota governments (overall and per criterion). Every province with a scored regional
-- instansi appears (zero awards included). Rank: more awards, then more overall wins, then
-- provinsi_kode ascending; is_terbanyak marks the province with the most awards.
with

instansi_award as (

    select * from {{ ref('mart_bkn_award_instansi') }}
    where provinsi_kode is not null

),

pemenang as (

    select * from {{ ref('mart_bkn_award_pemenang') }}
    where provinsi_kode is not null

),

wilayah as (

    select * from {{ ref('dim_wilayah') }}

),

provinsi as (

    select distinct
        tahun,
        provinsi_kode
    from instansi_award

),

tally as (

    select
        provinsi.tahun,
        provinsi.provinsi_kode,
        count(pemenang.instansi_key) as jumlah_penghargaan,
        sum(case when pemenang.kategori_penghargaan = 'umum' then 1 else 0 end) as jumlah_pemenang_umum,
        sum(case when pemenang.kategori_penghargaan <> 'umum' then 1 else 0 end) as jumlah_pemenang_kriteria,
        count(distinct pemenang.instansi_key) as jumlah_instansi_pemenang
    from provinsi
    left join pemenang
        on
            provinsi.tahun = pemenang.tahun
            and provinsi.provinsi_kode = pemenang.provinsi_kode
    group by
        provinsi.tahun,
        provinsi.provinsi_kode

),

ranked as (

    select
        *,
        row_number() over (
            partition by tahun
            order by jumlah_penghargaan desc, jumlah_pemenang_umum desc, provinsi_kode asc
        ) as peringkat
    from tally

),

final as (

    select
        cast(ranked.tahun as {{ dbt.type_int() }}) as tahun,
        cast(ranked.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(wilayah.nama as {{ dbt.type_string() }}) as provinsi_nama,
        cast(ranked.jumlah_penghargaan as {{ dbt.type_int() }}) as jumlah_penghargaan,
        cast(ranked.jumlah_pemenang_umum as {{ dbt.type_int() }}) as jumlah_pemenang_umum,
        cast(ranked.jumlah_pemenang_kriteria as {{ dbt.type_int() }}) as jumlah_pemenang_kriteria,
        cast(ranked.jumlah_instansi_pemenang as {{ dbt.type_int() }}) as jumlah_instansi_pemenang,
        cast(ranked.peringkat as {{ dbt.type_int() }}) as peringkat,
        ranked.peringkat = 1 and ranked.jumlah_penghargaan > 0 as is_terbanyak
    from ranked
    left join wilayah
        on ranked.provinsi_kode = wilayah.wilayah_kode

)

select * from final
