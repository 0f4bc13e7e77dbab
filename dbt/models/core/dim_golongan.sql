-- PNS golongan/ruang (I/a..IV/e, also held by CPNS) and PPPK golongan (I..XVII) in one
-- dimension; the code itself is the key because the two schemes never share a spelling.
with

golongan_pns as (

    select * from {{ ref('code_golongan_pns') }}

),

golongan_pppk as (

    select * from {{ ref('ref_golongan_pppk') }}

),

pns as (

    select
        golongan,
        'PNS' as skema,
        siasn_id,
        pangkat,
        dense_rank() over (order by cast(siasn_id as {{ dbt.type_int() }})) as urutan,
        'confirmed' as status,
        source
    from golongan_pns

),

pppk as (

    select
        golongan,
        'PPPK' as skema,
        null as siasn_id,
        null as pangkat,
        urutan,
        status,
        source
    from golongan_pppk

),

unioned as (

    select * from pns
    union all
    select * from pppk

),

final as (

    select
        cast(golongan as {{ dbt.type_string() }}) as golongan,
        cast(skema as {{ dbt.type_string() }}) as skema,
        cast(siasn_id as {{ dbt.type_string() }}) as siasn_id,
        cast(pangkat as {{ dbt.type_string() }}) as pangkat,
        cast(urutan as {{ dbt.type_int() }}) as urutan,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(source as {{ dbt.type_string() }}) as source
    from unioned

)

select * from final
