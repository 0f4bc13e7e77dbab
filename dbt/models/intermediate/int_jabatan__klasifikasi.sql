-- Position family, JF level and retirement age (BUP) of every employee row of the current
-- upload. All mappings are seeds (seeds/rules), so a correction is a data change:
--   eselon_id -> code_eselon.jabatan_asn -> ref_eselon_family (jpt / administrator / pengawas)
--   otherwise jenis_jabatan_id -> ref_jenis_jabatan_family (fungsional / pelaksana)
--   JF level: first keyword of ref_jf_jenjang_keyword found in jabatan_nama (fungsional only)
--   BUP: ref_bup by family and JF level ('*' = any level)
with

pegawai as (

    select
        upload_id,
        nip,
        eselon_id,
        jenis_jabatan_id,
        jabatan_nama
    from {{ ref('stg_siasn__pegawai') }}

),

eselon as (

    select
        siasn_id as eselon_id,
        jabatan_asn
    from {{ ref('code_eselon') }}

),

eselon_family as (

    select
        jabatan_asn,
        position_family
    from {{ ref('ref_eselon_family') }}

),

jenis_jabatan_family as (

    select
        jenis_jabatan_id,
        position_family
    from {{ ref('ref_jenis_jabatan_family') }}

),

position_family as (

    select
        position_family,
        is_fungsional
    from {{ ref('ref_position_family') }}

),

jf_keyword as (

    select
        keyword,
        jf_jenjang,
        prioritas
    from {{ ref('ref_jf_jenjang_keyword') }}

),

bup as (

    select
        position_family,
        jf_jenjang,
        bup_tahun
    from {{ ref('ref_bup') }}

),

families as (

    select
        pegawai.upload_id,
        pegawai.nip,
        pegawai.jabatan_nama,
        coalesce(
            eselon_family.position_family,
            jenis_jabatan_family.position_family
        ) as position_family
    from pegawai
    left join eselon
        on pegawai.eselon_id = eselon.eselon_id
    left join eselon_family
        on eselon.jabatan_asn = eselon_family.jabatan_asn
    left join jenis_jabatan_family
        on pegawai.jenis_jabatan_id = jenis_jabatan_family.jenis_jabatan_id

),

jf_matches as (

    select
        families.upload_id,
        families.nip,
        jf_keyword.jf_jenjang,
        row_number() over (
            partition by families.upload_id, families.nip
            order by jf_keyword.prioritas
        ) as match_rank
    from families
    inner join position_family
        on families.position_family = position_family.position_family
    inner join jf_keyword
        on {{ dbt.position('jf_keyword.keyword', 'lower(families.jabatan_nama)') }} > 0
    where position_family.is_fungsional

),

final as (

    select
        families.upload_id,
        families.nip,
        families.position_family,
        jf_matches.jf_jenjang,
        bup.bup_tahun
    from families
    left join jf_matches
        on
            families.upload_id = jf_matches.upload_id
            and families.nip = jf_matches.nip
            and jf_matches.match_rank = 1
    left join bup
        on
            families.position_family = bup.position_family
            and bup.jf_jenjang = coalesce(jf_matches.jf_jenjang, '*')

)

select * from final
