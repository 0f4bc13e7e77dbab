-- Marts feed BI tools: they must not carry personal data (UU 27/2022). Fails for every mart
-- column named like an identity field.
-- depends_on: {{ ref("mart_kepegawaian_instansi") }}, {{ ref("mart_headcount_golongan") }}
-- depends_on: {{ ref("mart_piramida_usia_provinsi") }}
{{ config(tags=["privacy"]) }}

select
    table_name,
    column_name
from information_schema.columns
where
    table_catalog = '{{ target.database }}'
    and table_schema = '{{ generate_schema_name("marts", none) | trim }}'
    and lower(column_name) in (
        'nip', 'nip_lama', 'nik', 'nama', 'gelar_depan', 'gelar_belakang', 'tempat_lahir', 'tanggal_lahir'
    )
