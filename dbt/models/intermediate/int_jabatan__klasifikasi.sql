-- Position family, JF level and retirement age (BUP) of every position reported in the current
-- uploads: one row per distinct (eselon_id, jenis_jabatan_id, jabatan_nama), the only inputs of
-- the rules, so each position is classified once rather than once per employee row (nationally
-- 5 M rows against at most a few hundred thousand positions). A missing value is '' in the key
-- columns so that the join back (int_pegawai__riwayat) is a plain, hashable equality on every
-- engine; '' matches no code and no keyword, exactly as null does.
-- All mappings are seeds (seeds/rules), so a correction is a data change:
--   eselon_id -> code_eselon.jabatan_asn -> ref_eselon_family (jpt / administrator / pengawas)
--   otherwise jenis_jabatan_id -> ref_jenis_jabatan_family (fungsional / pelaksana)
--   JF level: first keyword of ref_jf_jenjang_keyword found in jabatan_nama (fungsional only)
--   BUP: ref_bup by family and JF level ('*' = any level)
with

positions as (

    select distinct
        coalesce(eselon_id, '') as eselon_id,
        coalesce(jenis_jabatan_id, '') as jenis_jabatan_id,
        coalesce(jabatan_nama, '') as jabatan_nama
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
        positions.eselon_id,
        positions.jenis_jabatan_id,
        positions.jabatan_nama,
        coalesce(
            eselon_family.position_family,
            jenis_jabatan_family.position_family
        ) as position_family
    from positions
    left join eselon
        on positions.eselon_id = eselon.eselon_id
    left join eselon_family
        on eselon.jabatan_asn = eselon_family.jabatan_asn
    left join jenis_jabatan_family
        on positions.jenis_jabatan_id = jenis_jabatan_family.jenis_jabatan_id

),

jf_matches as (

    select
        families.eselon_id,
        families.jenis_jabatan_id,
        families.jabatan_nama,
        jf_keyword.jf_jenjang,
        row_number() over (
            partition by families.eselon_id, families.jenis_jabatan_id, families.jabatan_nama
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
        families.eselon_id,
        families.jenis_jabatan_id,
        families.jabatan_nama,
        families.position_family,
        jf_matches.jf_jenjang,
        bup.bup_tahun
    from families
    left join jf_matches
        on
            families.eselon_id = jf_matches.eselon_id
            and families.jenis_jabatan_id = jf_matches.jenis_jabatan_id
            and families.jabatan_nama = jf_matches.jabatan_nama
            and jf_matches.match_rank = 1
    left join bup
        on
            families.position_family = bup.position_family
            and bup.jf_jenjang = coalesce(jf_matches.jf_jenjang, '*')

)

select * from final
