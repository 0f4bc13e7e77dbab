-- Position dimension at the grain the warehouse can derive: position family x JF level x eselon,
-- with the retirement age (BUP) of the combination. Generated from the rule seeds (the same
-- ones int_jabatan__klasifikasi applies), so every employee row finds its row:
--   structural: every eselon whose ASN level has a family (ref_eselon_family), no JF level;
--   non-structural: eselon none / V / NON x (pelaksana, fungsional of each JF level or of an
--   unknown level).
with

eselon as (

    select
        siasn_id as eselon_id,
        eselon,
        jabatan_asn
    from {{ ref('code_eselon') }}

),

eselon_family as (

    select
        jabatan_asn,
        position_family
    from {{ ref('ref_eselon_family') }}

),

position_family as (

    select
        position_family,
        label,
        urutan,
        is_struktural,
        is_fungsional
    from {{ ref('ref_position_family') }}

),

jf_jenjang as (

    select
        jf_jenjang,
        jf_kategori,
        min(prioritas) as prioritas
    from {{ ref('ref_jf_jenjang_keyword') }}
    group by
        jf_jenjang,
        jf_kategori

),

bup as (

    select
        position_family,
        jf_jenjang,
        bup_tahun
    from {{ ref('ref_bup') }}

),

structural as (

    select
        eselon_family.position_family,
        cast(null as {{ dbt.type_string() }}) as jf_jenjang,
        eselon.eselon_id
    from eselon
    inner join eselon_family
        on eselon.jabatan_asn = eselon_family.jabatan_asn

),

non_structural_eselon as (

    select eselon.eselon_id
    from eselon
    left join eselon_family
        on eselon.jabatan_asn = eselon_family.jabatan_asn
    where eselon_family.position_family is null
    union all
    select cast(null as {{ dbt.type_string() }}) as eselon_id

),

non_structural_family as (

    select
        position_family.position_family,
        cast(null as {{ dbt.type_string() }}) as jf_jenjang
    from position_family
    where not position_family.is_struktural
    union all
    select
        position_family.position_family,
        jf_jenjang.jf_jenjang
    from position_family
    cross join jf_jenjang
    where position_family.is_fungsional

),

non_structural as (

    select
        non_structural_family.position_family,
        non_structural_family.jf_jenjang,
        non_structural_eselon.eselon_id
    from non_structural_family
    cross join non_structural_eselon

),

combinations as (

    select * from structural
    union all
    select * from non_structural

),

final as (

    select
        {{ surrogate_key(dbt.concat([
            'combinations.position_family', "'|'",
            "coalesce(combinations.jf_jenjang, '-')", "'|'",
            "coalesce(combinations.eselon_id, '-')"
        ])) }} as jabatan_key,
        cast(combinations.position_family as {{ dbt.type_string() }}) as position_family,
        cast(position_family.label as {{ dbt.type_string() }}) as position_family_label,
        cast(position_family.urutan as {{ dbt.type_int() }}) as position_family_urutan,
        cast(position_family.is_struktural as {{ dbt.type_boolean() }}) as is_struktural,
        cast(position_family.is_fungsional as {{ dbt.type_boolean() }}) as is_fungsional,
        cast(combinations.jf_jenjang as {{ dbt.type_string() }}) as jf_jenjang,
        cast(jf_jenjang.jf_kategori as {{ dbt.type_string() }}) as jf_kategori,
        cast(combinations.eselon_id as {{ dbt.type_string() }}) as eselon_id,
        cast(eselon.eselon as {{ dbt.type_string() }}) as eselon,
        cast(eselon.jabatan_asn as {{ dbt.type_string() }}) as jabatan_asn,
        cast(bup.bup_tahun as {{ dbt.type_int() }}) as bup_tahun
    from combinations
    inner join position_family
        on combinations.position_family = position_family.position_family
    left join jf_jenjang
        on combinations.jf_jenjang = jf_jenjang.jf_jenjang
    left join eselon
        on combinations.eselon_id = eselon.eselon_id
    left join bup
        on
            combinations.position_family = bup.position_family
            and bup.jf_jenjang = coalesce(combinations.jf_jenjang, '*')

)

select * from final
