-- IP ASN (Indeks Profesionalitas ASN) per active employee (PNS, CPNS, PPPK) per periode, scored
-- by the rule version in force at the periode's snapshot date (int_ip_asn__periode_rules). Every
-- point, window, threshold, cap and category comes from the ip_asn_* rule seeds. Missing inputs
-- score 0 for their indicator and raise a flag; nobody is dropped.
with

kepegawaian as (

    select
        kepegawaian_key,
        pegawai_key,
        instansi_key,
        instansi_kode,
        periode,
        snapshot_date,
        status_pegawai,
        jenis_kelamin,
        golongan,
        tingkat_pendidikan_id,
        eselon_id,
        position_family,
        upload_id,
        source_row
    from {{ ref('fct_kepegawaian') }}
    where is_aktif

),

-- the NIP of each fct_kepegawaian row: its chosen report (same upload_id and source_row), read
-- from the materialised history rather than from the staging view over the raw files
pegawai as (

    select
        upload_id,
        source_row,
        nip
    from {{ ref('int_pegawai__riwayat') }}

),

periode_rules as (

    select * from {{ ref('int_ip_asn__periode_rules') }}

),

kompetensi as (

    select * from {{ ref('int_ip_asn__kompetensi') }}

),

kinerja as (

    select * from {{ ref('int_ip_asn__kinerja') }}

),

disiplin as (

    select * from {{ ref('int_ip_asn__disiplin') }}

),

pendidikan as (

    select
        siasn_id as tingkat_pendidikan_id,
        jenjang
    from {{ ref('code_tingkat_pendidikan') }}

),

eselon as (

    select
        siasn_id as eselon_id,
        jabatan_asn
    from {{ ref('code_eselon') }}

),

kualifikasi_rule as (

    select * from {{ ref('ip_asn_kualifikasi') }}

),

kompetensi_rule as (

    select * from {{ ref('ip_asn_kompetensi') }}

),

kepemimpinan_syarat as (

    select * from {{ ref('ip_asn_kepemimpinan_syarat') }}

),

kinerja_rule as (

    select * from {{ ref('ip_asn_kinerja') }}

),

disiplin_rule as (

    select * from {{ ref('ip_asn_disiplin') }}

),

kategori_rule as (

    select * from {{ ref('ip_asn_kategori') }}

),

-- points per indicator for each periode and position family (no row = 0 points)
kompetensi_poin as (

    select
        periode_rules.periode,
        kompetensi_rule.position_family,
        max(case when kompetensi_rule.indikator = 'kepemimpinan' then kompetensi_rule.poin end)
            as poin_kepemimpinan,
        max(case when kompetensi_rule.indikator = 'fungsional' then kompetensi_rule.poin end)
            as poin_fungsional,
        max(case when kompetensi_rule.indikator = 'teknis' then kompetensi_rule.poin end)
            as poin_teknis,
        max(case when kompetensi_rule.indikator = 'seminar' then kompetensi_rule.poin end)
            as poin_seminar
    from periode_rules
    inner join kompetensi_rule
        on
            periode_rules.rule_version = kompetensi_rule.rule_version
            and periode_rules.snapshot_date
            between kompetensi_rule.effective_from and kompetensi_rule.effective_to
    group by
        periode_rules.periode,
        kompetensi_rule.position_family

),

-- the row of "no sanction counted" of each periode: the lightest bobot_berat of its version
disiplin_none as (

    select
        periode,
        tingkat_hukuman,
        poin
    from (
        select
            periode_rules.periode,
            disiplin_rule.tingkat_hukuman,
            disiplin_rule.poin,
            row_number() over (
                partition by periode_rules.periode
                order by disiplin_rule.bobot_berat
            ) as bobot_rank
        from periode_rules
        inner join disiplin_rule
            on
                periode_rules.rule_version = disiplin_rule.rule_version
                and periode_rules.snapshot_date
                between disiplin_rule.effective_from and disiplin_rule.effective_to
    ) as ranked_disiplin
    where bobot_rank = 1

),

joined as (

    select
        kepegawaian.*,
        pegawai.nip,
        periode_rules.rule_version,
        periode_rules.jp_teknis_minimum,
        periode_rules.skor_maks_kualifikasi,
        periode_rules.skor_maks_kompetensi,
        periode_rules.skor_maks_kinerja,
        periode_rules.skor_maks_disiplin,
        pendidikan.jenjang as jenjang_pendidikan,
        kualifikasi_rule.poin as poin_kualifikasi,
        kepemimpinan_syarat.level_minimum as level_kepemimpinan_syarat,
        kompetensi.jumlah_riwayat_diklat,
        kompetensi.level_kepemimpinan_maks,
        coalesce(kompetensi.jumlah_diklat_fungsional, 0) as jumlah_diklat_fungsional,
        coalesce(kompetensi.jp_teknis_window, 0) as jp_teknis_window,
        coalesce(kompetensi.jumlah_seminar_window, 0) as jumlah_seminar_window,
        coalesce(kompetensi.jp_tahun_berjalan, 0) as jp_tahun_berjalan,
        kompetensi_poin.poin_kepemimpinan as poin_kepemimpinan_aturan,
        kompetensi_poin.poin_fungsional as poin_fungsional_aturan,
        kompetensi_poin.poin_teknis as poin_teknis_aturan,
        kompetensi_poin.poin_seminar as poin_seminar_aturan,
        kinerja.skp_tahun,
        kinerja.predikat_kinerja_id,
        kinerja_rule.poin as poin_kinerja,
        coalesce(disiplin.tingkat_hukuman_terberat, disiplin_none.tingkat_hukuman)
            as tingkat_hukuman_terberat,
        coalesce(disiplin_rule.poin, disiplin_none.poin) as poin_disiplin
    from kepegawaian
    inner join pegawai
        on
            kepegawaian.upload_id = pegawai.upload_id
            and kepegawaian.source_row = pegawai.source_row
    inner join periode_rules
        on kepegawaian.periode = periode_rules.periode
    left join pendidikan
        on kepegawaian.tingkat_pendidikan_id = pendidikan.tingkat_pendidikan_id
    left join kualifikasi_rule
        on
            periode_rules.rule_version = kualifikasi_rule.rule_version
            and pendidikan.jenjang = kualifikasi_rule.jenjang
            and kepegawaian.snapshot_date between kualifikasi_rule.effective_from and kualifikasi_rule.effective_to
    left join eselon
        on kepegawaian.eselon_id = eselon.eselon_id
    left join kepemimpinan_syarat
        on
            periode_rules.rule_version = kepemimpinan_syarat.rule_version
            and eselon.jabatan_asn = kepemimpinan_syarat.jabatan_asn
            and kepegawaian.snapshot_date
            between kepemimpinan_syarat.effective_from and kepemimpinan_syarat.effective_to
    left join kompetensi
        on
            pegawai.nip = kompetensi.nip
            and kepegawaian.periode = kompetensi.periode
    left join kompetensi_poin
        on
            kepegawaian.periode = kompetensi_poin.periode
            and kepegawaian.position_family = kompetensi_poin.position_family
    left join kinerja
        on
            pegawai.nip = kinerja.nip
            and kepegawaian.periode = kinerja.periode
    left join kinerja_rule
        on
            periode_rules.rule_version = kinerja_rule.rule_version
            and kinerja.predikat_kinerja_id = kinerja_rule.predikat_kinerja_id
            and kepegawaian.snapshot_date between kinerja_rule.effective_from and kinerja_rule.effective_to
    left join disiplin
        on
            pegawai.nip = disiplin.nip
            and kepegawaian.periode = disiplin.periode
    left join disiplin_rule
        on
            periode_rules.rule_version = disiplin_rule.rule_version
            and disiplin.tingkat_hukuman_terberat = disiplin_rule.tingkat_hukuman
            and kepegawaian.snapshot_date between disiplin_rule.effective_from and disiplin_rule.effective_to
    left join disiplin_none
        on kepegawaian.periode = disiplin_none.periode
),

scored as (

    select
        *,
        least(coalesce(poin_kualifikasi, 0), skor_maks_kualifikasi) as skor_kualifikasi,
        case
            when level_kepemimpinan_maks >= level_kepemimpinan_syarat
                then coalesce(poin_kepemimpinan_aturan, 0)
            else 0
        end as poin_kepemimpinan,
        case
            when jumlah_diklat_fungsional > 0 then coalesce(poin_fungsional_aturan, 0)
            else 0
        end as poin_fungsional,
        case
            when jp_teknis_window >= jp_teknis_minimum then coalesce(poin_teknis_aturan, 0)
            else 0
        end as poin_teknis,
        case
            when jumlah_seminar_window > 0 then coalesce(poin_seminar_aturan, 0)
            else 0
        end as poin_seminar,
        least(coalesce(poin_kinerja, 0), skor_maks_kinerja) as skor_kinerja,
        least(coalesce(poin_disiplin, 0), skor_maks_disiplin) as skor_disiplin
    from joined

),

totalled as (

    select
        *,
        least(
            poin_kepemimpinan + poin_fungsional + poin_teknis + poin_seminar,
            skor_maks_kompetensi
        ) as skor_kompetensi
    from scored

),

categorised as (

    select
        totalled.*,
        totalled.skor_kualifikasi + totalled.skor_kompetensi + totalled.skor_kinerja
        + totalled.skor_disiplin as skor_total
    from totalled

),

final as (

    select
        cast(categorised.kepegawaian_key as {{ type_uuid() }}) as ip_asn_key,
        cast(categorised.pegawai_key as {{ type_uuid() }}) as pegawai_key,
        cast(categorised.nip as {{ dbt.type_string() }}) as nip,
        cast(categorised.instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(categorised.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(categorised.periode as {{ dbt.type_string() }}) as periode,
        cast(categorised.snapshot_date as date) as snapshot_date,
        cast(categorised.rule_version as {{ dbt.type_string() }}) as rule_version,
        cast(categorised.status_pegawai as {{ dbt.type_string() }}) as status_pegawai,
        cast(categorised.jenis_kelamin as {{ dbt.type_string() }}) as jenis_kelamin,
        cast(categorised.golongan as {{ dbt.type_string() }}) as golongan,
        cast(categorised.tingkat_pendidikan_id as {{ dbt.type_string() }}) as tingkat_pendidikan_id,
        cast(categorised.jenjang_pendidikan as {{ dbt.type_string() }}) as jenjang_pendidikan,
        cast(categorised.eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(categorised.position_family as {{ dbt.type_string() }}) as position_family,
        cast(categorised.level_kepemimpinan_maks as {{ dbt.type_int() }}) as level_kepemimpinan_maks,
        cast(categorised.level_kepemimpinan_syarat as {{ dbt.type_int() }}) as level_kepemimpinan_syarat,
        coalesce(categorised.level_kepemimpinan_maks >= categorised.level_kepemimpinan_syarat, false)
            as has_pelatihan_kepemimpinan,
        cast(categorised.jumlah_diklat_fungsional as {{ dbt.type_int() }}) as jumlah_diklat_fungsional,
        cast(categorised.jp_teknis_window as {{ dbt.type_int() }}) as jp_teknis_window,
        cast(categorised.jumlah_seminar_window as {{ dbt.type_int() }}) as jumlah_seminar_window,
        cast(categorised.jp_tahun_berjalan as {{ dbt.type_int() }}) as jp_tahun_berjalan,
        cast(categorised.skp_tahun as {{ dbt.type_int() }}) as skp_tahun,
        cast(categorised.predikat_kinerja_id as {{ dbt.type_string() }}) as predikat_kinerja_id,
        cast(categorised.tingkat_hukuman_terberat as {{ dbt.type_string() }}) as tingkat_hukuman_terberat,
        cast(categorised.skor_kualifikasi as {{ dbt.type_numeric() }}) as skor_kualifikasi,
        cast(categorised.poin_kepemimpinan as {{ dbt.type_numeric() }}) as poin_kepemimpinan,
        cast(categorised.poin_fungsional as {{ dbt.type_numeric() }}) as poin_fungsional,
        cast(categorised.poin_teknis as {{ dbt.type_numeric() }}) as poin_teknis,
        cast(categorised.poin_seminar as {{ dbt.type_numeric() }}) as poin_seminar,
        cast(categorised.skor_kompetensi as {{ dbt.type_numeric() }}) as skor_kompetensi,
        cast(categorised.skor_kinerja as {{ dbt.type_numeric() }}) as skor_kinerja,
        cast(categorised.skor_disiplin as {{ dbt.type_numeric() }}) as skor_disiplin,
        cast(categorised.skor_total as {{ dbt.type_numeric() }}) as skor_total,
        cast(kategori_rule.kategori_kode as {{ dbt.type_string() }}) as kategori_kode,
        cast(kategori_rule.kategori as {{ dbt.type_string() }}) as kategori,
        categorised.poin_kualifikasi is null as pendidikan_missing,
        coalesce(categorised.jumlah_riwayat_diklat, 0) = 0 as diklat_missing,
        categorised.poin_kinerja is null as kinerja_missing,
        (
            categorised.poin_kualifikasi is not null
            and coalesce(categorised.jumlah_riwayat_diklat, 0) > 0
            and categorised.poin_kinerja is not null
        ) as is_input_lengkap,
        cast(categorised.upload_id as {{ dbt.type_string() }}) as upload_id
    from categorised
    left join kategori_rule
        on
            categorised.rule_version = kategori_rule.rule_version
            and categorised.snapshot_date between kategori_rule.effective_from and kategori_rule.effective_to
            and (kategori_rule.skor_dari is null or categorised.skor_total >= kategori_rule.skor_dari)
            and (kategori_rule.skor_sampai is null or categorised.skor_total < kategori_rule.skor_sampai)

)

select * from final
