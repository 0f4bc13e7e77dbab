-- Data-quality results owned by ingestion.quality (created idempotently by the gate).
-- One row per validation run of an upload, one row per expectation and run (history kept).
create schema if not exists audit;

create table if not exists audit.check_runs (
    run_id varchar not null,
    upload_id varchar not null,
    jenis varchar not null,
    instansi_kode varchar,
    periode varchar,
    suite_name varchar not null,
    suite_version varchar not null,
    run_at timestamp not null,
    rows_checked bigint,
    expectations integer not null,
    failed integer not null,
    failed_blocking integer not null,
    decision varchar not null, -- passed / warned / blocked
    parameters varchar -- JSON of the suite parameters used (today, volume_min_rows, ...)
);

create table if not exists audit.check_results (
    run_id varchar not null,
    upload_id varchar not null,
    expectation_key varchar not null,
    expectation_type varchar not null,
    dimension varchar,
    column_name varchar,
    description varchar,
    severity varchar not null,
    success boolean not null,
    observed_value varchar, -- JSON
    unexpected_count bigint,
    unexpected_sample varchar, -- JSON list (values or rows)
    error varchar,
    suite_version varchar not null,
    run_at timestamp not null
);
