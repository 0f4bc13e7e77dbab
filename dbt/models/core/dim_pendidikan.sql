with

tingkat_pendidikan as (

    select * from {{ ref('code_tingkat_pendidikan') }}

),

jenjang as (

    select
        jenjang,
        jenjang_rank
    from {{ ref('ref_jenjang_pendidikan') }}

),

final as (

    select
        cast(tingkat_pendidikan.siasn_id as {{ dbt.type_string() }}) as tingkat_pendidikan_id,
        cast(tingkat_pendidikan.tingkat_pendidikan as {{ dbt.type_string() }}) as tingkat_pendidikan,
        cast(tingkat_pendidikan.jenjang as {{ dbt.type_string() }}) as jenjang,
        cast(jenjang.jenjang_rank as {{ dbt.type_int() }}) as jenjang_rank,
        cast(tingkat_pendidikan.source as {{ dbt.type_string() }}) as source
    from tingkat_pendidikan
    left join jenjang
        on tingkat_pendidikan.jenjang = jenjang.jenjang

)

select * from final
