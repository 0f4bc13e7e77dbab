-- Retirement projection per periode, instansi and position family: active employees who reach
-- their retirement age (bup_tahun, ref_bup via fct_kepegawaian) in each of the next
-- proyeksi_pensiun_tahun calendar years after the snapshot year (workforce_parameter). The
-- pension starts on the first day of the month after the BUP birthday (tanggal_lahir + BUP),
-- so a December birthday retires in the following year. Employees without a BUP (a fungsional of
-- unknown level) are not projected. Only non-empty combinations are listed. Aggregates only.
with

kepegawaian as (

    select
        periode,
        snapshot_date,
        instansi_key,
        position_family,
        bup_tahun,
        upload_id,
        source_row
    from {{ ref('fct_kepegawaian') }}
    where
        is_aktif
        and bup_tahun is not null

),

pegawai as (

    select
        upload_id,
        source_row,
        tanggal_lahir
    from {{ ref('stg_siasn__pegawai') }}

),

workforce_parameter as (

    select * from {{ ref('workforce_parameter') }}

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

pensiun as (

    select
        kepegawaian.periode,
        kepegawaian.snapshot_date,
        kepegawaian.instansi_key,
        kepegawaian.position_family,
        cast(extract(year from kepegawaian.snapshot_date) as {{ dbt.type_int() }}) as tahun_snapshot,
        cast(
            {{ dbt.dateadd(
                'day', 1,
                dbt.last_day(dbt.dateadd('year', 'kepegawaian.bup_tahun', 'pegawai.tanggal_lahir'), 'month')
            ) }} as date
        ) as tmt_pensiun
    from kepegawaian
    inner join pegawai
        on
            kepegawaian.upload_id = pegawai.upload_id
            and kepegawaian.source_row = pegawai.source_row

),

horizon as (

    select
        pensiun.*,
        cast(extract(year from pensiun.tmt_pensiun) as {{ dbt.type_int() }}) as tahun_pensiun,
        workforce_parameter.nilai as proyeksi_pensiun_tahun
    from pensiun
    inner join workforce_parameter
        on
            workforce_parameter.parameter = 'proyeksi_pensiun_tahun'
            and pensiun.snapshot_date between workforce_parameter.effective_from and workforce_parameter.effective_to

),

aggregated as (

    select
        periode,
        snapshot_date,
        instansi_key,
        position_family,
        tahun_pensiun,
        tahun_pensiun - tahun_snapshot as tahun_ke,
        count(*) as jumlah_pensiun
    from horizon
    where
        tahun_pensiun > tahun_snapshot
        and tahun_pensiun <= tahun_snapshot + proyeksi_pensiun_tahun
    group by
        periode,
        snapshot_date,
        instansi_key,
        position_family,
        tahun_pensiun,
        tahun_snapshot

),

final as (

    select
        cast(aggregated.periode as {{ dbt.type_string() }}) as periode,
        cast(aggregated.snapshot_date as date) as snapshot_date,
        {{ key_text('aggregated.instansi_key') }} as instansi_key,
        cast(instansi.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(instansi.nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(instansi.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(instansi.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(aggregated.position_family as {{ dbt.type_string() }}) as position_family,
        cast(aggregated.tahun_pensiun as {{ dbt.type_int() }}) as tahun_pensiun,
        cast(aggregated.tahun_ke as {{ dbt.type_int() }}) as tahun_ke,
        cast(aggregated.jumlah_pensiun as {{ dbt.type_int() }}) as jumlah_pensiun
    from aggregated
    left join instansi
        on aggregated.instansi_key = instansi.instansi_key

)

select * from final
