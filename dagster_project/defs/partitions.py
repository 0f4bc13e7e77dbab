"""Partitions that match how data arrives: one per (periode, instansi).

Keys are ``"<periode>|<instansi_kode>"`` (``"2025-12|64.72"``), registered dynamically by the
landing sensor (or the CLI) as uploads arrive. Ingestion and its checks are partitioned; dbt is
not: it runs once per batch of arrivals over everything current.
"""

from dataclasses import dataclass

import dagster as dg

instansi_periode = dg.DynamicPartitionsDefinition(name="instansi_periode")

_SEPARATOR = "|"


@dataclass(frozen=True, order=True)
class UploadPartition:
    periode: str
    instansi_kode: str

    @property
    def key(self) -> str:
        return f"{self.periode}{_SEPARATOR}{self.instansi_kode}"

    @classmethod
    def parse(cls, key: str) -> "UploadPartition":
        periode, _, instansi = key.partition(_SEPARATOR)
        if not periode or not instansi:
            raise ValueError(f"partition key {key!r} is not '<periode>|<instansi_kode>'")
        return cls(periode=periode, instansi_kode=instansi)
