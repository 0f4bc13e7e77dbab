with

instansi as (

    select * from {{ ref('ref_instansi') }}

),

jenis_instansi as (

    select
        jenis_instansi,
        kelompok_instansi,
        urutan as jenis_urutan
    from {{ ref('ref_jenis_instansi') }}

),

wilayah as (

    select
        wilayah_kode,
        nama as wilayah_nama
    from {{ ref('ref_wilayah') }}

),

provinsi as (

    select
        wilayah_kode as provinsi_kode,
        nama as provinsi_nama
    from {{ ref('ref_wilayah') }}

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

joined as (

    select
        instansi.instansi_kode,
        instansi.nama,
        instansi.jenis_instansi,
        jenis_instansi.kelompok_instansi,
        jenis_instansi.jenis_urutan,
        instansi.wilayah_kode,
        wilayah.wilayah_nama,
        instansi.provinsi_kode,
        provinsi.provinsi_nama,
        -- the register's own kanreg first, else the kanreg that covers the province
        coalesce(instansi.kanreg_kode, kanreg_provinsi.kanreg_kode) as kanreg_kode,
        instansi.source
    from instansi
    left join jenis_instansi
        on instansi.jenis_instansi = jenis_instansi.jenis_instansi
    left join wilayah
        on instansi.wilayah_kode = wilayah.wilayah_kode
    left join provinsi
        on instansi.provinsi_kode = provinsi.provinsi_kode
    left join kanreg_provinsi
        on instansi.provinsi_kode = kanreg_provinsi.provinsi_kode

),

final as (

    select
        {{ surrogate_key('joined.instansi_kode') }} as instansi_key,
        cast(joined.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(joined.nama as {{ dbt.type_string() }}) as nama,
        cast(joined.jenis_instansi as {{ dbt.type_string() }}) as jenis_instansi,
        cast(joined.kelompok_instansi as {{ dbt.type_string() }}) as kelompok,
        cast(joined.wilayah_kode as {{ dbt.type_string() }}) as wilayah_kode,
        cast(joined.wilayah_nama as {{ dbt.type_string() }}) as wilayah_nama,
        cast(joined.provinsi_kode as {{ dbt.type_string() }}) as provinsi_kode,
        cast(joined.provinsi_nama as {{ dbt.type_string() }}) as provinsi_nama,
        cast(joined.kanreg_kode as {{ dbt.type_string() }}) as kanreg_kode,
        cast(kanreg.kanreg_nama as {{ dbt.type_string() }}) as kanreg_nama,
        cast(joined.source as {{ dbt.type_string() }}) as source,
        -- added for the star schema: keys to dim_wilayah and the parent (provincial) government
        case
            when joined.wilayah_kode is not null then {{ surrogate_key('joined.wilayah_kode') }}
        end as wilayah_key,
        case
            when joined.provinsi_kode is not null then {{ surrogate_key('joined.provinsi_kode') }}
        end as provinsi_wilayah_key,
        cast(
            case when joined.jenis_instansi in ('kabupaten', 'kota') then parent.instansi_kode end
            as {{ dbt.type_string() }}
        ) as parent_instansi_kode,
        case
            when joined.jenis_instansi in ('kabupaten', 'kota') and parent.instansi_kode is not null
                then {{ surrogate_key('parent.instansi_kode') }}
        end as parent_instansi_key,
        cast(parent.nama as {{ dbt.type_string() }}) as parent_instansi_nama,
        cast(joined.jenis_urutan as {{ dbt.type_int() }}) as jenis_instansi_urutan
    from joined
    left join kanreg
        on joined.kanreg_kode = kanreg.kanreg_kode
    left join instansi as parent
        on
            joined.provinsi_kode = parent.instansi_kode
            and parent.jenis_instansi = 'provinsi'
            and joined.jenis_instansi in ('kabupaten', 'kota')

)

select * from final
