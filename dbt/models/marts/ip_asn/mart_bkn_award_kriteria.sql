-- BKN Award scores per instansi, year and criterion. Each indicator of int_bkn_award__indikator
-- is normalised to 0-100 (100 * value / nilai_maks, capped at 100); a criterion is the weighted
-- mean of its indicators (bobot_indikator), the composite the weighted mean of the criteria
-- (bobot_kriteria), all from bkn_award_indikator. Eligible instansi are ranked per criterion
-- within their group (jenis_instansi); tie-break: higher composite, then instansi_kode
-- ascending. The top jumlah_pemenang_per_kelompok (bkn_award_parameter) win the criterion.
{%- set indicators = [
    'rata_rata_ip_asn', 'share_20jp', 'cakupan_skp', 'share_skp_baik',
    'tingkat_baris_diterima', 'ketepatan_waktu_upload', 'rata_rata_skor_disiplin'
] %}

with

award_input as (

    select
        *,
        {{ periode_snapshot_date('periode_acuan') }} as snapshot_acuan
    from {{ ref('int_bkn_award__indikator') }}

),

instansi as (

    select * from {{ ref('dim_instansi') }}

),

indikator_rule as (

    select * from {{ ref('bkn_award_indikator') }}

),

award_parameter as (

    select * from {{ ref('bkn_award_parameter') }}

),

nilai_indikator as (
    {% for indicator in indicators %}
        select
            tahun,
            periode_acuan,
            snapshot_acuan,
            instansi_key,
            instansi_kode,
            is_layak,
            '{{ indicator }}' as indikator,
            cast({{ indicator }} as {{ dbt.type_numeric() }}) as nilai
        from award_input
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}
),

skor_indikator as (

    select
        nilai_indikator.*,
        indikator_rule.rule_version,
        indikator_rule.kriteria,
        indikator_rule.bobot_kriteria,
        indikator_rule.bobot_indikator,
        least(100 * coalesce(nilai_indikator.nilai, 0) / indikator_rule.nilai_maks, 100) as skor
    from nilai_indikator
    inner join indikator_rule
        on
            nilai_indikator.indikator = indikator_rule.indikator
            and nilai_indikator.snapshot_acuan
            between indikator_rule.effective_from and indikator_rule.effective_to

),

skor_kriteria as (

    select
        tahun,
        periode_acuan,
        snapshot_acuan,
        instansi_key,
        instansi_kode,
        is_layak,
        rule_version,
        kriteria,
        max(bobot_kriteria) as bobot_kriteria,
        round(cast(sum(bobot_indikator * skor) / sum(bobot_indikator) as {{ type_exact_numeric() }}), 4)
            as skor_kriteria
    from skor_indikator
    group by
        tahun,
        periode_acuan,
        snapshot_acuan,
        instansi_key,
        instansi_kode,
        is_layak,
        rule_version,
        kriteria

),

komposit as (

    select
        *,
        round(
            cast(
                sum(bobot_kriteria * skor_kriteria) over (partition by tahun, instansi_key)
                / sum(bobot_kriteria) over (partition by tahun, instansi_key)
                as {{ type_exact_numeric() }}
            ),
            4
        ) as skor_komposit
    from skor_kriteria

),

jumlah_pemenang as (

    select
        tahun_acuan.tahun,
        max(award_parameter.nilai) as jumlah_pemenang
    from (select distinct
        tahun,
        snapshot_acuan
    from award_input) as tahun_acuan
    inner join award_parameter
        on
            award_parameter.parameter = 'jumlah_pemenang_per_kelompok'
            and tahun_acuan.snapshot_acuan between award_parameter.effective_from and award_parameter.effective_to
    group by tahun_acuan.tahun

),

ranked as (

    select
        komposit.*,
        instansi.nama as instansi_nama,
        instansi.jenis_instansi,
        instansi.provinsi_kode,
        case
            when komposit.is_layak
                then row_number() over (
                    partition by komposit.tahun, komposit.kriteria, instansi.jenis_instansi, komposit.is_layak
                    order by komposit.skor_kriteria desc, komposit.skor_komposit desc, komposit.instansi_kode asc
                )
        end as peringkat_kelompok
    from komposit
    left join instansi
        on komposit.instansi_key = instansi.instansi_key

),

final as (

    select
        cast(ranked.tahun as {{ dbt.type_int() }}) as tahun,
        cast(ranked.periode_acuan as {{ dbt.type_string() }}) as periode_acuan,
        cast(ranked.rule_version as {{ dbt.type_string() }}) as rule_version,
        {{ key_text('ranked.instansi_key') }} as instansi_key,
        cast(ranked.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(ranked.instansi_nama as {{ dbt.type_string() }}) as instansi_nama,
        cast(ranked.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(ranked.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(ranked.kriteria as {{ dbt.type_string() }}) as kriteria,
        cast(ranked.bobot_kriteria as {{ dbt.type_numeric() }}) as bobot_kriteria,
        cast(ranked.skor_kriteria as {{ dbt.type_numeric() }}) as skor_kriteria,
        cast(ranked.skor_komposit as {{ dbt.type_numeric() }}) as skor_komposit,
        cast(ranked.is_layak as {{ dbt.type_boolean() }}) as is_layak,
        cast(ranked.peringkat_kelompok as {{ dbt.type_int() }}) as peringkat_kelompok,
        coalesce(ranked.peringkat_kelompok <= jumlah_pemenang.jumlah_pemenang, false) as is_pemenang
    from ranked
    left join jumlah_pemenang
        on ranked.tahun = jumlah_pemenang.tahun

)

select * from final
