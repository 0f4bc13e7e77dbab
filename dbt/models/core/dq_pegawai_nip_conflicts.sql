-- Data-quality rule "one report per NIP and periode": every report of a NIP that was reported
-- more than once in a periode (by two instansi, or twice by one upload), with the report the
-- warehouse keeps. The rule itself lives in int_pegawai__riwayat (the latest upload wins:
-- received_at desc, upload_id desc, source_row desc); this table makes each conflict visible to
-- the BKN data stewards instead of failing the national build. Personal data (NIP): core only.
with

pegawai as (

    select
        nip,
        periode,
        upload_id,
        instansi_kode,
        received_at,
        source_file,
        source_row,
        report_order
    from {{ ref('stg_siasn__pegawai') }}

),

-- int_pegawai__riwayat already counted the reports of each NIP and periode
conflicting_keys as (

    select
        nip,
        periode,
        n_reports
    from {{ ref('int_pegawai__riwayat') }}
    where n_reports > 1

),

conflicting_reports as (

    select pegawai.*
    from pegawai
    inner join conflicting_keys
        on
            pegawai.nip = conflicting_keys.nip
            and pegawai.periode = conflicting_keys.periode

),

instansi_counts as (

    select
        nip,
        periode,
        count(*) as n_reports,
        count(distinct instansi_kode) as n_instansi
    from conflicting_reports
    group by
        nip,
        periode

),

reports as (

    select
        conflicting_reports.*,
        instansi_counts.n_reports,
        instansi_counts.n_instansi,
        row_number() over (
            partition by conflicting_reports.nip, conflicting_reports.periode
            order by conflicting_reports.report_order desc
        ) as report_rank
    from conflicting_reports
    inner join instansi_counts
        on
            conflicting_reports.nip = instansi_counts.nip
            and conflicting_reports.periode = instansi_counts.periode

),

chosen as (

    select
        nip,
        periode,
        upload_id as chosen_upload_id,
        instansi_kode as chosen_instansi_kode
    from reports
    where report_rank = 1

),

final as (

    select
        {{ surrogate_key(dbt.concat([
            'reports.upload_id', "'|'", 'cast(reports.source_row as ' ~ dbt.type_string() ~ ')'
        ])) }} as conflict_row_key,
        {{ surrogate_key('reports.nip') }} as pegawai_key,
        cast(reports.nip as {{ dbt.type_string() }}) as nip,
        cast(reports.periode as {{ dbt.type_string() }}) as periode,
        cast(
            case when reports.n_instansi > 1 then 'nip_di_beberapa_instansi' else 'nip_ganda_dalam_upload' end
            as {{ dbt.type_string() }}
        ) as conflict_type,
        cast(reports.n_reports as {{ dbt.type_int() }}) as n_reports,
        cast(reports.n_instansi as {{ dbt.type_int() }}) as n_instansi,
        cast(reports.report_rank as {{ dbt.type_int() }}) as report_rank,
        reports.report_rank = 1 as is_chosen,
        cast(reports.upload_id as {{ dbt.type_string() }}) as upload_id,
        cast(reports.instansi_kode as {{ dbt.type_string() }}) as instansi_kode,
        cast(reports.received_at as {{ dbt.type_timestamp() }}) as received_at,
        cast(reports.source_file as {{ dbt.type_string() }}) as source_file,
        cast(reports.source_row as {{ dbt.type_int() }}) as source_row,
        cast(chosen.chosen_upload_id as {{ dbt.type_string() }}) as chosen_upload_id,
        cast(chosen.chosen_instansi_kode as {{ dbt.type_string() }}) as chosen_instansi_kode
    from reports
    inner join chosen
        on
            reports.nip = chosen.nip
            and reports.periode = chosen.periode

)

select * from final
