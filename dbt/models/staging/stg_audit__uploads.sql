with

source as (

    select * from {{ source('audit', 'uploads') }}

),

renamed as (

    select
        cast(upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(jenis as {{ dbt.type_string() }}) as jenis,
        cast(instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(periode as {{ dbt.type_string() }}) as periode,
        {{ periode_start_date('periode') }} as periode_date,
        {{ periode_snapshot_date('periode') }} as snapshot_date,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(archive_path as {{ dbt.type_string() }}) as archive_path,
        cast(sha256 as {{ dbt.type_string() }}) as sha256,
        cast(file_format as {{ dbt.type_string() }}) as file_format,
        cast(received_at as {{ dbt.type_timestamp() }}) as received_at,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(rows_read as {{ dbt.type_int() }}) as rows_read,
        cast(rows_accepted as {{ dbt.type_int() }}) as rows_accepted,
        cast(rows_rejected as {{ dbt.type_int() }}) as rows_rejected,
        cast(error as {{ dbt.type_string() }}) as error_message,
        cast(is_current as {{ dbt.type_boolean() }}) as is_current,
        cast(superseded_by as {{ dbt.type_string() }}) as superseded_by,
        coalesce(is_current and status = 'loaded', false) as is_current_loaded,
        -- order of the uploads (periode, then received_at, then upload_id): the larger, the later
        cast(row_number() over (order by periode, received_at, upload_id) as {{ dbt.type_bigint() }})
            as upload_order

    from source

)

select * from renamed
