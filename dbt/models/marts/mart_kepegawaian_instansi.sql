-- Headcount per instansi and periode for BI: aggregates only (no NIP, names or birth dates).
with

kepegawaian as (

    select * from {{ ref('fct_kepegawaian') }}

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

aggregated as (

    select
        instansi_key,
        periode,
        snapshot_date,
        sum(headcount) as jumlah_pegawai,
        sum(case when status_pegawai = 'PNS' then headcount else 0 end) as jumlah_pns,
        sum(case when status_pegawai = 'CPNS' then headcount else 0 end) as jumlah_cpns,
        sum(case when status_pegawai = 'PPPK' then headcount else 0 end) as jumlah_pppk,
        sum(case when is_aktif then headcount else 0 end) as jumlah_aktif,
        sum(case when jenis_kelamin = 'L' then headcount else 0 end) as jumlah_laki_laki,
        sum(case when jenis_kelamin = 'P' then headcount else 0 end) as jumlah_perempuan,
        avg(usia_tahun) as rata_rata_usia
    from kepegawaian
    group by
        instansi_key,
        periode,
        snapshot_date

),

final as (

    select
        {{ key_text('aggregated.instansi_key') }} as instansi_key,
        cast(instansi.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi.nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(instansi.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(instansi.kelompok as {{ dbt.type_string() }}) as kelompok,
        cast(instansi.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(instansi.provinsi_nama as {{ dbt.type_string() }}) as provinsi_nama,
        cast(instansi.kanreg_kode as {{ dbt.type_string() }}) as kanreg_kode,
        cast(aggregated.periode as {{ dbt.type_string() }}) as periode,
        cast(aggregated.snapshot_date as date) as snapshot_date,
        cast(aggregated.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(aggregated.jumlah_pns as {{ dbt.type_int() }}) as jumlah_pns,
        cast(aggregated.jumlah_cpns as {{ dbt.type_int() }}) as jumlah_cpns,
        cast(aggregated.jumlah_pppk as {{ dbt.type_int() }}) as jumlah_pppk,
        cast(aggregated.jumlah_aktif as {{ dbt.type_int() }}) as jumlah_aktif,
        cast(aggregated.jumlah_laki_laki as {{ dbt.type_int() }}) as jumlah_laki_laki,
        cast(aggregated.jumlah_perempuan as {{ dbt.type_int() }}) as jumlah_perempuan,
        cast(
            round(
                cast(
                    cast(aggregated.jumlah_perempuan as {{ dbt.type_numeric() }})
                    / nullif(aggregated.jumlah_pegawai, 0)
                    as {{ type_exact_numeric() }}
                ),
                4
            ) as {{ dbt.type_numeric() }}
        ) as share_perempuan,
        cast(round(cast(aggregated.rata_rata_usia as {{ type_exact_numeric() }}), 1) as {{ dbt.type_numeric() }})
            as rata_rata_usia
    from aggregated
    left join instansi
        on aggregated.instansi_key = instansi.instansi_key

)

select * from final
