-- IP ASN per region and periode for BI: national (every instansi, wilayah_kode 'ID'), province
-- (the regional governments of the province: the province itself and its kabupaten/kota) and
-- kabupaten/kota (that government). Central instansi (kementerian, lembaga) count only in the
-- national row. Mean, median, category counts, coverage and change against the previous periode
-- of the same region. Aggregates only.
with

ip_asn as (

    select
        ip_asn.periode,
        ip_asn.snapshot_date,
        ip_asn.skor_total,
        ip_asn.kategori_kode,
        ip_asn.is_input_lengkap,
        instansi.wilayah_kode,
        instansi.provinsi_kode
    from {{ ref('fct_ip_asn') }} as ip_asn
    left join {{ ref('dim_instansi') }} as instansi
        on ip_asn.instansi_key = instansi.instansi_key

),

wilayah as (

    select * from {{ ref('dim_wilayah') }}

),

expanded as (

    select
        'nasional' as tingkat_wilayah,
        'ID' as wilayah_kode,
        periode,
        snapshot_date,
        skor_total,
        kategori_kode,
        is_input_lengkap
    from ip_asn

    union all

    select
        'provinsi' as tingkat_wilayah,
        provinsi_kode as wilayah_kode,
        periode,
        snapshot_date,
        skor_total,
        kategori_kode,
        is_input_lengkap
    from ip_asn
    where provinsi_kode is not null

    union all

    select
        'kabupaten_kota' as tingkat_wilayah,
        wilayah_kode,
        periode,
        snapshot_date,
        skor_total,
        kategori_kode,
        is_input_lengkap
    from ip_asn
    where
        wilayah_kode is not null
        and wilayah_kode <> provinsi_kode

),

aggregated as (

    select
        tingkat_wilayah,
        wilayah_kode,
        periode,
        snapshot_date,
        count(*) as jumlah_pegawai,
        avg(skor_total) as rata_rata_skor,
        cast(percentile_cont(0.5) within group (order by skor_total) as {{ dbt.type_numeric() }}) as median_skor,
        sum(case when kategori_kode = 'sangat_tinggi' then 1 else 0 end) as jumlah_sangat_tinggi,
        sum(case when kategori_kode = 'tinggi' then 1 else 0 end) as jumlah_tinggi,
        sum(case when kategori_kode = 'sedang' then 1 else 0 end) as jumlah_sedang,
        sum(case when kategori_kode = 'rendah' then 1 else 0 end) as jumlah_rendah,
        sum(case when kategori_kode = 'sangat_rendah' then 1 else 0 end) as jumlah_sangat_rendah,
        sum(case when is_input_lengkap then 1 else 0 end) as jumlah_input_lengkap
    from expanded
    group by
        tingkat_wilayah,
        wilayah_kode,
        periode,
        snapshot_date

),

with_previous as (

    select
        *,
        lag(periode) over (partition by tingkat_wilayah, wilayah_kode order by periode)
            as periode_sebelumnya,
        lag(rata_rata_skor) over (partition by tingkat_wilayah, wilayah_kode order by periode)
            as rata_rata_sebelumnya
    from aggregated

),

final as (

    select
        cast(with_previous.tingkat_wilayah as {{ dbt.type_string() }}) as tingkat_wilayah,
        cast(with_previous.wilayah_kode as {{ dbt.type_string() }}) as wilayah_kode,
        cast(
            case when with_previous.tingkat_wilayah = 'nasional' then 'Indonesia' else wilayah.nama end
            as {{ dbt.type_string() }}
        ) as wilayah_nama,
        cast(wilayah.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(with_previous.periode as {{ dbt.type_string() }}) as periode,
        cast(with_previous.snapshot_date as date) as snapshot_date,
        cast(with_previous.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(round(cast(with_previous.rata_rata_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_skor,
        cast(round(cast(with_previous.median_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as median_skor,
        cast(with_previous.jumlah_sangat_tinggi as {{ dbt.type_int() }}) as jumlah_sangat_tinggi,
        cast(with_previous.jumlah_tinggi as {{ dbt.type_int() }}) as jumlah_tinggi,
        cast(with_previous.jumlah_sedang as {{ dbt.type_int() }}) as jumlah_sedang,
        cast(with_previous.jumlah_rendah as {{ dbt.type_int() }}) as jumlah_rendah,
        cast(with_previous.jumlah_sangat_rendah as {{ dbt.type_int() }}) as jumlah_sangat_rendah,
        cast(with_previous.jumlah_input_lengkap as {{ dbt.type_int() }}) as jumlah_input_lengkap,
        cast(
            round(
                cast(
                    cast(with_previous.jumlah_input_lengkap as {{ dbt.type_numeric() }})
                    / nullif(with_previous.jumlah_pegawai, 0)
                    as {{ type_exact_numeric() }}
                ),
                4
            ) as {{ dbt.type_numeric() }}
        ) as cakupan,
        cast(with_previous.periode_sebelumnya as {{ dbt.type_string() }}) as periode_sebelumnya,
        cast(
            round(
                cast(with_previous.rata_rata_skor - with_previous.rata_rata_sebelumnya as {{ type_exact_numeric() }}), 2
            )
            as {{ dbt.type_numeric() }}
        ) as perubahan_rata_rata
    from with_previous
    left join wilayah
        on with_previous.wilayah_kode = wilayah.wilayah_kode

)

select * from final
