-- BKN Award per instansi and year: raw indicator values, eligibility, composite score (from
-- mart_bkn_award_kriteria), overall rank within the group (jenis_instansi) and winner flag.
-- Tie-break of the overall ranking: higher composite, then higher mean IP ASN, then higher
-- data coverage, then more employees, then instansi_kode ascending. Only eligible instansi rank.
with

award_input as (

    select * from {{ ref('int_bkn_award__indikator') }}

),

kriteria as (

    select * from {{ ref('mart_bkn_award_kriteria') }}

),

award_parameter as (

    select * from {{ ref('bkn_award_parameter') }}

),

per_instansi as (

    select
        tahun,
        instansi_key,
        max(rule_version) as rule_version,
        max(instansi_nama) as instansi_nama,
        max(jenis_instansi) as jenis_instansi,
        max(provinsi_kode) as provinsi_kode,
        max(skor_komposit) as skor_komposit,
        sum(case when is_pemenang then 1 else 0 end) as jumlah_kriteria_dimenangkan
    from kriteria
    group by
        tahun,
        instansi_key

),

joined as (

    select
        award_input.*,
        per_instansi.rule_version,
        per_instansi.instansi_nama,
        per_instansi.jenis_instansi,
        per_instansi.provinsi_kode,
        per_instansi.skor_komposit,
        per_instansi.jumlah_kriteria_dimenangkan,
        {{ periode_snapshot_date('award_input.periode_acuan') }} as snapshot_acuan
    from award_input
    inner join per_instansi
        on
            award_input.tahun = per_instansi.tahun
            and {{ key_text('award_input.instansi_key') }} = per_instansi.instansi_key

),

ranked as (

    select
        *,
        case
            when is_layak
                then row_number() over (
                    partition by tahun, jenis_instansi, is_layak
                    order by
                        skor_komposit desc,
                        rata_rata_ip_asn desc,
                        cakupan_input desc,
                        jumlah_pegawai desc,
                        instansi_kode asc
                )
        end as peringkat_kelompok
    from joined

),

jumlah_pemenang as (

    select
        tahun_acuan.tahun,
        max(award_parameter.nilai) as jumlah_pemenang
    from (select distinct
        tahun,
        snapshot_acuan
    from joined) as tahun_acuan
    inner join award_parameter
        on
            award_parameter.parameter = 'jumlah_pemenang_per_kelompok'
            and tahun_acuan.snapshot_acuan between award_parameter.effective_from and award_parameter.effective_to
    group by tahun_acuan.tahun

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
        cast(ranked.jumlah_pegawai as {{ dbt.type_int() }}) as jumlah_pegawai,
        cast(round(cast(ranked.cakupan_input as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as cakupan_input,
        cast(round(cast(ranked.rata_rata_ip_asn as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as rata_rata_ip_asn,
        cast(round(cast(ranked.share_20jp as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }}) as share_20jp,
        cast(round(cast(ranked.cakupan_skp as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as cakupan_skp,
        cast(round(cast(ranked.share_skp_baik as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as share_skp_baik,
        cast(round(cast(ranked.tingkat_baris_diterima as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as tingkat_baris_diterima,
        cast(round(cast(ranked.ketepatan_waktu_upload as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as ketepatan_waktu_upload,
        cast(round(cast(ranked.rata_rata_skor_disiplin as {{ type_exact_numeric() }}), 4) as {{ dbt.type_numeric() }})
            as rata_rata_skor_disiplin,
        cast(ranked.jumlah_pengiriman_wajib as {{ dbt.type_int() }}) as jumlah_pengiriman_wajib,
        cast(ranked.jumlah_pengiriman_tepat_waktu as {{ dbt.type_int() }}) as jumlah_pengiriman_tepat_waktu,
        cast(ranked.skor_komposit as {{ dbt.type_numeric() }}) as skor_komposit,
        cast(ranked.is_layak as {{ dbt.type_boolean() }}) as is_layak,
        cast(ranked.peringkat_kelompok as {{ dbt.type_int() }}) as peringkat_kelompok,
        coalesce(ranked.peringkat_kelompok <= jumlah_pemenang.jumlah_pemenang, false) as is_pemenang_umum,
        cast(ranked.jumlah_kriteria_dimenangkan as {{ dbt.type_int() }}) as jumlah_kriteria_dimenangkan
    from ranked
    left join jumlah_pemenang
        on ranked.tahun = jumlah_pemenang.tahun

)

select * from final
