-- The employee history the SCD2 dimension and fct_kepegawaian are built from: one row per
-- employee (NIP) and periode, over every periode of the current uploads, with the version the
-- row belongs to.
--
-- 1. One report per NIP and periode (data-quality rule, see dq_pegawai_nip_conflicts): when the
--    same NIP is reported by two instansi (or twice) in one periode, the latest upload wins
--    (received_at desc, then upload_id desc, then source_row desc); deterministic.
-- 2. SCD2 versions: a new version starts when a tracked attribute differs from the employee's
--    previous reported periode (golongan, position, unit, instansi, education, status). A row's
--    version depends only on the employee's rows at earlier periodes, so a late or out-of-order
--    periode changes the versions of that periode and later ones only (fct_kepegawaian relies
--    on this to stay incremental).
with

-- what the conflict rule and the SCD2 windows need, in one narrow pass over staging (read once:
-- a CTE or view read twice is materialised whole); the tracked attributes folded into one text
-- for a single lag() comparison
pegawai as (

    select
        stg.nip,
        stg.periode,
        stg.periode_date,
        stg.report_order,
        {{ dbt.concat(scd2_tracked_text(var('scd2_tracked_columns'), 'stg')) }} as tracked_state
    from {{ ref('stg_siasn__pegawai') }} as stg

),

-- the rule as window aggregates over the narrow rows: the largest report_order (latest upload,
-- then last row of the file) of each NIP and periode wins
ranked as (

    select
        nip,
        periode,
        periode_date,
        report_order,
        tracked_state,
        count(*) over (partition by nip, periode) as n_reports,
        max(report_order) over (partition by nip, periode) as chosen_report_order
    from pegawai

),

jabatan as (

    select
        eselon_id,
        jenis_jabatan_id,
        jabatan_nama,
        position_family,
        jf_jenjang,
        bup_tahun
    from {{ ref('int_jabatan__klasifikasi') }}

),

-- the chosen reports only. The SCD2 windows run over them, and the chosen row's report_order
-- fetches its wide columns at the end with a join on one integer. Filtered after a window, this
-- side is estimated smaller than staging, so the final join builds its hash table on these
-- narrow rows and streams the wide staging rows through (an aggregate joined back here made the
-- optimiser build on the 5 M wide rows instead: 6 GB of hash table at national scale)
tracked as (

    select
        nip,
        periode,
        periode_date,
        report_order,
        n_reports,
        tracked_state
    from ranked
    where report_order = chosen_report_order

),

compared as (

    select
        nip,
        periode,
        periode_date,
        report_order,
        n_reports,
        lead(periode_date) over (partition by nip order by periode) as next_periode_date,
        case
            when lag(tracked_state) over (partition by nip order by periode) is null then 1
            when tracked_state <> lag(tracked_state) over (partition by nip order by periode) then 1
            else 0
        end as is_version_start
    from tracked

),

versioned as (

    select
        compared.nip,
        compared.periode,
        compared.periode_date,
        compared.report_order,
        compared.n_reports,
        compared.next_periode_date,
        compared.is_version_start,
        sum(compared.is_version_start) over (
            partition by compared.nip order by compared.periode
            rows between unbounded preceding and current row
        ) as version_no,
        max(case when compared.is_version_start = 1 then compared.periode end) over (
            partition by compared.nip order by compared.periode
            rows between unbounded preceding and current row
        ) as valid_from_periode,
        max(case when compared.is_version_start = 1 then compared.periode_date end) over (
            partition by compared.nip order by compared.periode
            rows between unbounded preceding and current row
        ) as valid_from,
        coalesce(
            lead(compared.is_version_start) over (partition by compared.nip order by compared.periode),
            1
        ) as next_is_version_start
    from compared

),

final as (

    select
        {{ surrogate_key('chosen.nip') }} as pegawai_key,
        {{ surrogate_key(dbt.concat(['chosen.nip', "'|'", 'versioned.valid_from_periode'])) }}
            as pegawai_version_key,
        cast(versioned.version_no as {{ dbt.type_int() }}) as version_no,
        cast(versioned.valid_from_periode as {{ dbt.type_string() }}) as valid_from_periode,
        cast(versioned.valid_from as date) as valid_from,
        -- a version ends where the next version starts (exclusive); open versions end 9999-12-31
        cast(
            case
                when versioned.next_periode_date is null then {{ dbt.date(9999, 12, 31) }}
                when versioned.next_is_version_start = 1 then versioned.next_periode_date
            end as date
        ) as valid_to,
        versioned.next_is_version_start = 1 as is_version_end,
        versioned.next_periode_date is null as is_latest_report,
        versioned.is_version_start = 1 as is_version_start,
        cast(versioned.n_reports as {{ dbt.type_int() }}) as n_reports,

        -- lineage of the chosen report
        chosen.upload_id,
        chosen.instansi_kode,
        chosen.periode,
        chosen.periode_date,
        chosen.snapshot_date,
        chosen.received_at,
        chosen.source_file,
        chosen.source_row,

        -- identity (personal data)
        chosen.nip,
        chosen.nip_lama,
        chosen.nama,
        chosen.gelar_depan,
        chosen.gelar_belakang,
        chosen.tempat_lahir,
        chosen.tanggal_lahir,
        chosen.jenis_kelamin,
        chosen.agama_id,

        -- attributes
        chosen.status_pegawai,
        chosen.kedudukan_hukum_id,
        chosen.jenis_pegawai_id,
        chosen.tingkat_pendidikan_id,
        chosen.pendidikan_nama,
        chosen.tahun_lulus,
        chosen.tmt_cpns,
        chosen.tmt_pns,
        chosen.unor_id,
        chosen.unor_nama,
        chosen.jenis_jabatan_id,
        chosen.jabatan_nama,
        chosen.eselon_id,
        chosen.golongan,
        chosen.tmt_golongan,
        chosen.tmt_jabatan,
        jabatan.position_family,
        jabatan.jf_jenjang,
        jabatan.bup_tahun
    from versioned
    inner join {{ ref('stg_siasn__pegawai') }} as chosen
        on versioned.report_order = chosen.report_order
    -- the position's classification ('' for a missing value, as int_jabatan__klasifikasi keys it)
    left join jabatan
        on
            coalesce(chosen.eselon_id, '') = jabatan.eselon_id
            and coalesce(chosen.jenis_jabatan_id, '') = jabatan.jenis_jabatan_id
            and coalesce(chosen.jabatan_nama, '') = jabatan.jabatan_nama

)

select * from final
