-- 20-JP compliance per instansi and year (PP 11/2017 art. 203): employees scored at the year's
-- latest periode whose completed trainings ending in that calendar year (up to the snapshot)
-- total at least jp_tahunan_minimum JP (workforce_parameter). Aggregates only.
with

ip_asn as (

    select * from {{ ref('fct_ip_asn') }}

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

workforce_parameter as (

    select * from {{ ref('workforce_parameter') }}

),

tahun_acuan as (

    select
        cast(extract(year from snapshot_date) as {{ dbt.type_int() }}) as tahun,
        max(periode) as periode_acuan,
        max(snapshot_date) as snapshot_acuan
    from ip_asn
    group by cast(extract(year from snapshot_date) as {{ dbt.type_int() }})

),

parameter as (

    select
        tahun_acuan.tahun,
        tahun_acuan.periode_acuan,
        max(workforce_parameter.nilai) as jp_tahunan_minimum
    from tahun_acuan
    inner join workforce_parameter
        on
            workforce_parameter.parameter = 'jp_tahunan_minimum'
            and tahun_acuan.snapshot_acuan
            between workforce_parameter.effective_from and workforce_parameter.effective_to
    group by
        tahun_acuan.tahun,
        tahun_acuan.periode_acuan

),

aggregated as (

    select
        parameter.tahun,
        parameter.periode_acuan,
        ip_asn.instansi_key,
        max(parameter.jp_tahunan_minimum) as jp_tahunan_minimum,
        count(*) as jumlah_pegawai,
        sum(case when ip_asn.jp_tahun_berjalan >= parameter.jp_tahunan_minimum then 1 else 0 end)
            as jumlah_memenuhi,
        avg(ip_asn.jp_tahun_berjalan) as rata_rata_jp
    from ip_asn
    inner join parameter
        on ip_asn.periode = parameter.periode_acuan
    group by
        parameter.tahun,
        parameter.periode_acuan,
        ip_asn.instansi_key

),

final as (

    select
        cast(aggregated.tahun as {{ dbt.type_int() }}) as tahun,
        cast(aggregated.periode_acuan as {{ dbt.type_string() }}) as periode_acuan,
        {{ key_text('aggregated.instansi_key') }} as instansi_key,
        cast(instansi.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi.nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(instansi.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(instansi.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(aggregated.jp_tahunan_minimum as {{ dbt.type_int() }}) as jp_tahunan_minimum,
        cast(aggregated.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(aggregated.jumlah_memenuhi as {{ dbt.type_int() }}) as jumlah_memenuhi,
        cast(
            round(
                cast(
                    cast(aggregated.jumlah_memenuhi as {{ dbt.type_numeric() }}) / nullif(aggregated.jumlah_pegawai, 0)
                    as {{ type_exact_numeric() }}
                ), 4
            )
            as {{ dbt.type_numeric() }}
        ) as share_memenuhi,
        cast(round(cast(aggregated.rata_rata_jp as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_jp
    from aggregated
    left join instansi
        on aggregated.instansi_key = instansi.instansi_key

)

select * from final
