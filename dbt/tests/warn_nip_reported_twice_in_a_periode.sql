-- Warns (never fails the national build) while a NIP is reported more than once in a periode;
-- the warehouse keeps the latest upload's report (see dq_pegawai_nip_conflicts).
{{ config(severity='warn', tags=["data_quality"]) }}

select
    nip,
    periode,
    conflict_type,
    chosen_instansi_kode
from {{ ref('dq_pegawai_nip_conflicts') }}
where is_chosen
