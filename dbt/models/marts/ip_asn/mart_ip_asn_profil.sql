-- National IP ASN by employee profile and periode for BI: one row per dimension (position_family,
-- golongan, jenis_kelamin, jenjang_pendidikan), value and periode, with mean, median, category
-- counts, coverage and the change against the previous periode of the same value. A missing
-- value groups under '(tidak diketahui)'. Aggregates only.
{%- set dimensions = ['position_family', 'golongan', 'jenis_kelamin', 'jenjang_pendidikan'] %}

with

ip_asn as (

    select * from {{ ref('fct_ip_asn') }}

),

expanded as (
    {% for dimension in dimensions %}
        select
            '{{ dimension }}' as dimensi,
            coalesce({{ dimension }}, '(tidak diketahui)') as nilai,
            periode,
            snapshot_date,
            skor_total,
            kategori_kode,
            is_input_lengkap
        from ip_asn
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}
),

aggregated as (

    select
        dimensi,
        nilai,
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
        dimensi,
        nilai,
        periode,
        snapshot_date

),

with_previous as (

    select
        *,
        lag(periode) over (partition by dimensi, nilai order by periode) as periode_sebelumnya,
        lag(rata_rata_skor) over (partition by dimensi, nilai order by periode) as rata_rata_sebelumnya
    from aggregated

),

final as (

    select
        cast(dimensi as {{ dbt.type_string() }}) as dimensi,
        cast(nilai as {{ dbt.type_string() }}) as nilai,
        cast(periode as {{ dbt.type_string() }}) as periode,
        cast(snapshot_date as date) as snapshot_date,
        cast(jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(round(cast(rata_rata_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }})
            as rata_rata_skor,
        cast(round(cast(median_skor as {{ type_exact_numeric() }}), 2) as {{ dbt.type_numeric() }}) as median_skor,
        cast(jumlah_sangat_tinggi as {{ dbt.type_int() }}) as jumlah_sangat_tinggi,
        cast(jumlah_tinggi as {{ dbt.type_int() }}) as jumlah_tinggi,
        cast(jumlah_sedang as {{ dbt.type_int() }}) as jumlah_sedang,
        cast(jumlah_rendah as {{ dbt.type_int() }}) as jumlah_rendah,
        cast(jumlah_sangat_rendah as {{ dbt.type_int() }}) as jumlah_sangat_rendah,
        cast(jumlah_input_lengkap as {{ dbt.type_int() }}) as jumlah_input_lengkap,
        cast(
            round(
                cast(
                    cast(jumlah_input_lengkap as {{ dbt.type_numeric() }})
                    / nullif(jumlah_pegawai, 0) as {{ type_exact_numeric() }}
                ),
                4
            )
            as {{ dbt.type_numeric() }}
        ) as cakupan,
        cast(periode_sebelumnya as {{ dbt.type_string() }}) as periode_sebelumnya,
        cast(
            round(
                cast(rata_rata_skor - rata_rata_sebelumnya as {{ type_exact_numeric() }}), 2
            ) as {{ dbt.type_numeric() }}
        )
            as perubahan_rata_rata
    from with_previous

)

select * from final
