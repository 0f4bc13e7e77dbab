-- Leadership-training candidates per periode and instansi (an intake): active holders of the
-- positions in workforce_kandidat_jabatan (echelon III) who lack the matching leadership training
-- (fct_ip_asn.has_pelatihan_kepemimpinan, ip_asn_kepemimpinan_syarat) and have strictly more than
-- kandidat_sisa_tahun_minimum years to their BUP date (tanggal_lahir + bup_tahun). Ranking, the
-- same inside an OPD (unor) and across the instansi: longest in the position first (tmt_jabatan,
-- unknown last), then higher IP ASN skor_total, then NIP. At most kandidat_maks_per_opd per OPD
-- are eligible for the intake; the first kandidat_per_intake of those are selected.
-- PERSONAL DATA: core only.
with

ip_asn as (

    select * from {{ ref('fct_ip_asn') }}
    where not has_pelatihan_kepemimpinan

),

kepegawaian as (

    select
        kepegawaian_key,
        bup_tahun
    from {{ ref('fct_kepegawaian') }}

),

pegawai as (

    select
        upload_id,
        nip,
        nama,
        tanggal_lahir,
        unor_id,
        unor_nama,
        jabatan_nama,
        tmt_jabatan
    from {{ ref('stg_siasn__pegawai') }}

),

eselon as (

    select
        siasn_id as eselon_id,
        jabatan_asn
    from {{ ref('code_eselon') }}

),

kandidat_jabatan as (

    select * from {{ ref('workforce_kandidat_jabatan') }}

),

workforce_parameter as (

    select * from {{ ref('workforce_parameter') }}

),

parameter as (

    select
        periodes.periode,
        max(case when workforce_parameter.parameter = 'kandidat_sisa_tahun_minimum' then workforce_parameter.nilai end)
            as sisa_tahun_minimum,
        max(case when workforce_parameter.parameter = 'kandidat_maks_per_opd' then workforce_parameter.nilai end)
            as maks_per_opd,
        max(case when workforce_parameter.parameter = 'kandidat_per_intake' then workforce_parameter.nilai end)
            as per_intake
    from (select distinct
        periode,
        snapshot_date
    from ip_asn) as periodes
    inner join workforce_parameter
        on periodes.snapshot_date between workforce_parameter.effective_from and workforce_parameter.effective_to
    group by periodes.periode

),

candidates as (

    select
        ip_asn.*,
        pegawai.nama,
        pegawai.unor_id,
        pegawai.unor_nama,
        pegawai.jabatan_nama,
        pegawai.tmt_jabatan,
        kepegawaian.bup_tahun,
        cast({{ dbt.dateadd('year', 'kepegawaian.bup_tahun', 'pegawai.tanggal_lahir') }} as date) as tanggal_bup,
        parameter.maks_per_opd,
        parameter.per_intake,
        coalesce(pegawai.unor_id, pegawai.unor_nama) as opd
    from ip_asn
    inner join pegawai
        on
            ip_asn.upload_id = pegawai.upload_id
            and ip_asn.nip = pegawai.nip
    inner join kepegawaian
        on ip_asn.ip_asn_key = kepegawaian.kepegawaian_key
    inner join eselon
        on ip_asn.eselon_id = eselon.eselon_id
    inner join kandidat_jabatan
        on
            eselon.jabatan_asn = kandidat_jabatan.jabatan_asn
            and ip_asn.snapshot_date between kandidat_jabatan.effective_from and kandidat_jabatan.effective_to
    inner join parameter
        on ip_asn.periode = parameter.periode
    where
        cast({{ dbt.dateadd('year', 'kepegawaian.bup_tahun', 'pegawai.tanggal_lahir') }} as date)
        > cast({{ dbt.dateadd('year', 'parameter.sisa_tahun_minimum', 'ip_asn.snapshot_date') }} as date)

),

ranked_opd as (

    select
        *,
        row_number() over (
            partition by periode, instansi_key, opd
            order by
                case when tmt_jabatan is null then 1 else 0 end,
                tmt_jabatan asc,
                skor_total desc,
                nip asc
        ) as peringkat_opd
    from candidates

),

ranked_intake as (

    select
        *,
        case
            when peringkat_opd <= maks_per_opd
                then row_number() over (
                    partition by periode, instansi_key, peringkat_opd <= maks_per_opd
                    order by
                        case when tmt_jabatan is null then 1 else 0 end,
                        tmt_jabatan asc,
                        skor_total desc,
                        nip asc
                )
        end as peringkat_intake
    from ranked_opd

),

final as (

    select
        cast(ip_asn_key as {{ type_uuid() }}) as kandidat_key,
        cast(pegawai_key as {{ type_uuid() }}) as pegawai_key,
        cast(nip as {{ dbt.type_string() }}) as nip,
        cast(nama as {{ dbt.type_string() }}) as nama,
        cast(instansi_key as {{ type_uuid() }}) as instansi_key,
        cast(instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(periode as {{ dbt.type_string() }}) as periode,
        cast(snapshot_date as date) as snapshot_date,
        cast(unor_id as {{ dbt.type_string() }}) as unor_id,
        cast(unor_nama as {{ dbt.type_string() }}) as unor_nama,
        cast(jabatan_nama as {{ dbt.type_string() }}) as jabatan_nama,
        cast(eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(tmt_jabatan as date) as tmt_jabatan,
        cast(bup_tahun as {{ dbt.type_int() }}) as bup_tahun,
        cast(tanggal_bup as date) as tanggal_bup,
        cast(level_kepemimpinan_maks as {{ dbt.type_int() }}) as level_kepemimpinan_maks,
        cast(level_kepemimpinan_syarat as {{ dbt.type_int() }}) as level_kepemimpinan_syarat,
        cast(skor_total as {{ dbt.type_numeric() }}) as skor_total,
        cast(peringkat_opd as {{ dbt.type_int() }}) as peringkat_opd,
        cast(peringkat_intake as {{ dbt.type_int() }}) as peringkat_intake,
        coalesce(peringkat_intake <= per_intake, false) as is_terpilih
    from ranked_intake

)

select * from final
