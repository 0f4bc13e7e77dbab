with

wilayah as (

    select * from {{ ref('ref_wilayah') }}

),

provinsi as (

    select
        wilayah_kode as provinsi_kode,
        nama as provinsi_nama
    from wilayah

),

kanreg_provinsi as (

    select
        provinsi_kode,
        kanreg_kode
    from {{ ref('ref_kanreg_provinsi') }}

),

kanreg as (

    select
        kanreg_kode,
        nama as kanreg_nama
    from {{ ref('ref_kanreg') }}

),

final as (

    select
        {{ surrogate_key('wilayah.wilayah_kode') }} as wilayah_key,
        cast(wilayah.wilayah_kode as {{ dbt.type_string() }}) as wilayah_kode,
        cast(wilayah.nama as {{ dbt.type_string() }}) as nama,
        cast(wilayah.tingkat as {{ dbt.type_string() }}) as tingkat,
        cast(wilayah.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(provinsi.provinsi_nama as {{ dbt.type_string() }}) as provinsi_nama,
        cast(wilayah.is_otonom as {{ dbt.type_boolean() }}) as is_otonom,
        cast(kanreg_provinsi.kanreg_kode as {{ dbt.type_string() }}) as kanreg_kode,
        cast(kanreg.kanreg_nama as {{ dbt.type_string() }}) as kanreg_nama,
        cast(wilayah.source as {{ dbt.type_string() }}) as source
    from wilayah
    left join provinsi
        on wilayah.provinsi_kode = provinsi.provinsi_kode
    left join kanreg_provinsi
        on wilayah.provinsi_kode = kanreg_provinsi.provinsi_kode
    left join kanreg
        on kanreg_provinsi.kanreg_kode = kanreg.kanreg_kode

)

select * from final
