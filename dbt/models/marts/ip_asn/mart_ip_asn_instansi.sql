-- IP ASN per instansi and periode for BI: mean, median, mean per dimension, category counts,
-- coverage (share without any missing-input flag) and the change against the instansi's previous
-- periode. Aggregates only: no NIP, names or birth dates.
with

ip_asn as (

    select * from {{ ref('fct_ip_asn') }}

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

aggregated as (

    select
        instansi_key,
        periode,
        snapshot_date,
        rule_version,
        count(*) as jumlah_pegawai,
        avg(skor_total) as rata_rata_skor,
        cast(percentile_cont(0.5) within group (order by skor_total) as {{ dbt.type_numeric() }}) as median_skor,
        avg(skor_kualifikasi) as rata_rata_kualifikasi,
        avg(skor_kompetensi) as rata_rata_kompetensi,
        avg(skor_kinerja) as rata_rata_kinerja,
        avg(skor_disiplin) as rata_rata_disiplin,
        sum(case when kategori_kode = 'sangat_tinggi' then 1 else 0 end) as jumlah_sangat_tinggi,
        sum(case when kategori_kode = 'tinggi' then 1 else 0 end) as jumlah_tinggi,
        sum(case when kategori_kode = 'sedang' then 1 else 0 end) as jumlah_sedang,
        sum(case when kategori_kode = 'rendah' then 1 else 0 end) as jumlah_rendah,
        sum(case when kategori_kode = 'sangat_rendah' then 1 else 0 end) as jumlah_sangat_rendah,
        sum(case when is_input_lengkap then 1 else 0 end) as jumlah_input_lengkap
    from ip_asn
    group by
        instansi_key,
        periode,
        snapshot_date,
        rule_version

),

with_previous as (

    select
        *,
        lag(periode) over (partition by instansi_key order by periode) as periode_sebelumnya,
        lag(rata_rata_skor) over (partition by instansi_key order by periode) as rata_rata_sebelumnya
    from aggregated

),

final as (

    select
        {{ key_text('with_previous.instansi_key') }} as instansi_key,
        cast(instansi.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi.nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(instansi.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(instansi.kelompok as {{ dbt.type_string() }}) as kelompok,
        cast(instansi.wilayah_kode as {{ dbt.type_string() }}) as wilayah_kode,
        cast(instansi.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(with_previous.periode as {{ dbt.type_string() }}) as periode,
        cast(with_previous.snapshot_date as date) as snapshot_date,
        cast(with_previous.rule_version as {{ dbt.type_string() }}) as rule_version,
        cast(with_previous.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(round(cast(with_previous.rata_rata_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_skor,
        cast(round(cast(with_previous.median_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as median_skor,
        cast(
            round(
                cast(with_previous.rata_rata_kualifikasi as {{ type_exact_numeric() }}), 2
            ) as {{ dbt.type_numeric() }}
        )
            as rata_rata_kualifikasi,
        cast(
            round(cast(with_previous.rata_rata_kompetensi as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }}
        )
            as rata_rata_kompetensi,
        cast(round(cast(with_previous.rata_rata_kinerja as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_kinerja,
        cast(round(cast(with_previous.rata_rata_disiplin as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_disiplin,
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
    left join instansi
        on with_previous.instansi_key = instansi.instansi_key

)

select * from final
