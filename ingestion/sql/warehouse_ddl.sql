-- Audit and raw schemas owned by the ingestion library. Idempotent: run on every connection
-- that writes. dbt reads these as sources (dbt/models/staging/_sources.yml).
create schema if not exists audit;
create schema if not exists raw;

create table if not exists audit.uploads (
    upload_id varchar not null,
    jenis varchar not null,
    instansi_kode varchar not null,
    periode varchar not null,
    source_file varchar not null,
    archive_path varchar,
    sha256 varchar not null,
    file_format varchar,
    received_at timestamp not null,
    status varchar not null,
    rows_read integer,
    rows_accepted integer,
    rows_rejected integer,
    error varchar,
    is_current boolean not null default false,
    superseded_by varchar
);

create table if not exists audit.rejections (
    upload_id varchar not null,
    source_file varchar not null,
    source_row integer,
    column_name varchar,
    raw_value varchar,
    reason_code varchar not null,
    message varchar not null
);
