"""What a run left in the warehouse, in a few lines for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class WarehouseSummary:
    warehouse: Path
    uploads_by_status: dict[str, int] = field(default_factory=dict)
    files_by_jenis: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    pegawai_current: int | None = None
    instansi_reporting: int | None = None
    national_mean_ip_asn: float | None = None


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def summarize(warehouse: Path) -> WarehouseSummary:
    summary = WarehouseSummary(warehouse=warehouse)
    if not warehouse.exists():
        return summary
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        if _table_exists(con, "audit", "uploads"):
            summary.uploads_by_status = dict(
                con.execute("select status, count(*) from audit.uploads group by 1").fetchall()
            )
            summary.files_by_jenis = dict(
                con.execute(
                    "select jenis, count(*) from audit.uploads where status = 'loaded' group by 1"
                ).fetchall()
            )
            totals = con.execute(
                "select coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0), "
                "coalesce(sum(rows_rejected), 0) from audit.uploads where status = 'loaded'"
            ).fetchone()
            summary.rows_read, summary.rows_accepted, summary.rows_rejected = map(int, totals)
        if _table_exists(con, "core", "fct_kepegawaian"):
            count, instansi = con.execute(
                "select count(*), count(distinct instansi_kode) from core.fct_kepegawaian"
            ).fetchone()
            summary.pegawai_current, summary.instansi_reporting = int(count), int(instansi)
        if _table_exists(con, "core", "fct_ip_asn"):
            mean = con.execute("select avg(skor_total) from core.fct_ip_asn").fetchone()
            summary.national_mean_ip_asn = float(mean[0]) if mean and mean[0] is not None else None
    finally:
        con.close()
    return summary
