"""A national-scale warehouse for the dbt benchmark, generated in DuckDB SQL (seconds).

``build_perf_warehouse(root, n_pegawai=5_000_000)`` writes what the ingestion library would leave
behind for one periode of every instansi of the register: ``audit.uploads`` (one current loaded
upload per instansi and jenis), ``raw/<jenis>/*.parquet`` with the canonical columns plus lineage,
and the ``raw.<jenis>`` views. Per employee: 2 trainings, 2 SKP years (2021 score, 2024 predikat),
and a sanction for 2 %. Employees are spread evenly over the 659 instansi of the register.
Deterministic (hash of the row number); not the slow file generator, no validation.

Rows of all instansi sit in one Parquet file per jenis (the lineage columns still say which
upload each row belongs to); ingestion writes one file per upload, which dbt reads through the
same glob.

Command line (directory, then the number of employees; defaults /tmp/asn_perf and 5,000,000):

    .venv/bin/python -m ingestion.synthetic.scale /tmp/asn_perf 5000000
    cd dbt && DUCKDB_DATABASE=/tmp/asn_perf/warehouse.duckdb \\
        ../.venv/bin/dbt build --profiles-dir .

The same build through Dagster, timed (wall, summed node time, framework overhead):
``dagster_project.bench_warehouse.measure_dbt_build_at_scale``. No Dagster import here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DDL = REPO_ROOT / "ingestion" / "sql" / "warehouse_ddl.sql"
INSTANSI_CSV = REPO_ROOT / "dbt" / "seeds" / "reference" / "ref_instansi.csv"
JENIS = ("pegawai", "diklat", "skp", "hukdis")

# u(i, k): a deterministic uniform integer 0..999 for row i and stream k
_U = "cast(hash({i}, {k}) % 1000 as integer)"


def _u(i: str, k: int) -> str:
    return _U.format(i=i, k=k)


def _pegawai_sql(n: int, periode: str) -> str:
    return f"""
    with base as (
        select
            i,
            instansi.instansi_kode,
            {_u("i", 1)} as u1, {_u("i", 2)} as u2, {_u("i", 3)} as u3, {_u("i", 4)} as u4,
            {_u("i", 5)} as u5, {_u("i", 6)} as u6,
            date '1966-01-01' + cast(hash(i, 7) % 13500 as integer) as tanggal_lahir
        from range({n}) as r(i)
        join instansi on instansi.idx = i % (select count(*) from instansi)
    )
    select
        strftime(tanggal_lahir, '%Y%m%d') || lpad(cast(i as varchar), 10, '0') as nip,
        null::varchar as nip_lama,
        'Pegawai ' || i as nama,
        null::varchar as gelar_depan,
        null::varchar as gelar_belakang,
        'Kota ' || (u1 % 50) as tempat_lahir,
        tanggal_lahir,
        case when u2 < 560 then 'P' else 'L' end as jenis_kelamin,
        cast(1 + u3 % 6 as varchar) as agama_id,
        case when u4 < 740 then 'PNS' when u4 < 790 then 'CPNS' else 'PPPK' end as status_pegawai,
        case when u5 < 985 then '01' else '02' end as kedudukan_hukum_id,
        null::varchar as jenis_pegawai_id,
        (['15', '30', '35', '40', '40', '40', '45', '50'])[1 + u6 % 8] as tingkat_pendidikan_id,
        null::varchar as pendidikan_nama,
        null::integer as tahun_lulus,
        case when u4 < 790 then tanggal_lahir + interval 23 year + to_days(u1 * 3) end::date
            as tmt_cpns,
        null::date as tmt_pns,
        instansi_kode || '-' || (u2 % 40) as unor_id,
        'Unit ' || (u2 % 40) as unor_nama,
        case when u3 < 80 then '1' when u3 < 500 then '2' else '4' end as jenis_jabatan_id,
        case
            when u3 < 80 then 'Kepala Bidang'
            when u3 < 500 then (['Guru Ahli Pertama', 'Guru Ahli Muda', 'Perawat Terampil',
                                 'Analis Kebijakan Ahli Madya', 'Dokter Ahli Utama'])[1 + u5 % 5]
            else 'Pengadministrasi Umum'
        end as jabatan_nama,
        case when u3 < 80 then (['21', '31', '41', '41'])[1 + u1 % 4] end as eselon_id,
        case
            when u4 >= 790 then (['V', 'VII', 'IX', 'X'])[1 + u1 % 4]
            else (['II/a', 'II/c', 'III/a', 'III/b', 'III/c', 'III/d', 'IV/a', 'IV/b'])[1 + u1 % 8]
        end as golongan,
        null::date as tmt_golongan,
        null::date as tmt_jabatan,
        'u-pegawai-' || instansi_kode as upload_id,
        instansi_kode,
        '{periode}' as periode,
        'landing/{periode}/' || instansi_kode || '/pegawai.csv' as source_file,
        cast(2 + i // (select count(*) from instansi) as integer) as source_row
    from base
    """


def _diklat_sql(n: int, periode: str, per_pegawai: int) -> str:
    return f"""
    select
        p.nip,
        (['3', '3', '8', '9', '11', '2', '1'])[1 + {_u("p.i * 8 + t.k", 11)} % 7]
            as jenis_diklat_id,
        case when {_u("p.i * 8 + t.k", 11)} % 7 = 6 then '3' end as latihan_struktural_id,
        'Pelatihan ' || t.k as nama_diklat,
        date '2015-01-01' + cast(hash(p.i, t.k, 12) % 3900 as integer) as tanggal_mulai,
        date '2015-01-01' + cast(hash(p.i, t.k, 12) % 3900 as integer) + 3 as tanggal_selesai,
        cast(8 + {_u("p.i * 8 + t.k", 13)} % 40 as integer) as jumlah_jam,
        'BPSDM' as penyelenggara,
        null::varchar as nomor_sertifikat,
        'u-diklat-' || p.instansi_kode as upload_id,
        p.instansi_kode,
        '{periode}' as periode,
        'landing/{periode}/' || p.instansi_kode || '/diklat.csv' as source_file,
        cast(2 + p.i * {per_pegawai} + t.k as integer) as source_row
    from pegawai_ids as p
    cross join range({per_pegawai}) as t(k)
    """


def _skp_sql(periode: str) -> str:
    return f"""
    select nip, 2021 as tahun, null::varchar as predikat,
        cast(45 + {_u("i", 21)} % 55 as double) as nilai_skp,
        'u-skp-' || instansi_kode as upload_id, instansi_kode, '{periode}' as periode,
        'landing/{periode}/' || instansi_kode || '/skp.csv' as source_file,
        cast(2 + 2 * i as integer) as source_row
    from pegawai_ids
    union all
    select nip, 2024, cast(1 + {_u("i", 22)} % 5 as varchar), null::double,
        'u-skp-' || instansi_kode, instansi_kode, '{periode}',
        'landing/{periode}/' || instansi_kode || '/skp.csv', cast(3 + 2 * i as integer)
    from pegawai_ids
    """


def _hukdis_sql(periode: str, per_mille: int) -> str:
    return f"""
    select
        nip,
        (['1', '2', '4', '9'])[1 + {_u("i", 31)} % 4] as jenis_hukuman_id,
        null::varchar as tingkat_hukuman,
        date '2020-01-01' + cast(hash(i, 32) % 2000 as integer) as tanggal_hukuman,
        date '2020-01-01' + cast(hash(i, 32) % 2000 as integer) + 365 as tanggal_akhir,
        'SK/' || i as nomor_sk,
        null::date as tanggal_sk,
        null::varchar as alasan,
        'u-hukdis-' || instansi_kode as upload_id, instansi_kode, '{periode}' as periode,
        'landing/{periode}/' || instansi_kode || '/hukdis.csv' as source_file,
        cast(2 + i as integer) as source_row
    from pegawai_ids
    where {_u("i", 30)} < {per_mille}
    """


def build_perf_warehouse(
    root: Path,
    n_pegawai: int = 5_000_000,
    periode: str = "2025-12",
    diklat_per_pegawai: int = 2,
    hukdis_per_mille: int = 20,
) -> dict[str, int]:
    """Write the fixture under ``root`` (warehouse.duckdb + raw/); return row counts per jenis."""
    root.mkdir(parents=True, exist_ok=True)
    db_path = root / "warehouse.duckdb"
    db_path.unlink(missing_ok=True)
    for jenis in JENIS:
        (root / "raw" / jenis).mkdir(parents=True, exist_ok=True)
        for old in (root / "raw" / jenis).glob("*.parquet"):
            old.unlink()
    counts: dict[str, int] = {}
    con = duckdb.connect(str(db_path))
    try:
        con.execute(DDL.read_text())
        con.execute(
            "create temp table instansi as select instansi_kode,"
            " cast(row_number() over (order by instansi_kode) - 1 as bigint) as idx"
            f" from read_csv('{INSTANSI_CSV.as_posix()}', all_varchar = true)"
        )
        out = {j: (root / "raw" / j / f"perf-{periode}.parquet").as_posix() for j in JENIS}
        con.execute(f"copy ({_pegawai_sql(n_pegawai, periode)}) to '{out['pegawai']}'")
        con.execute(
            "create temp table pegawai_ids as select nip, instansi_kode,"
            f" cast(right(nip, 10) as bigint) as i from read_parquet('{out['pegawai']}')"
        )
        con.execute(
            f"copy ({_diklat_sql(n_pegawai, periode, diklat_per_pegawai)}) to '{out['diklat']}'"
        )
        con.execute(f"copy ({_skp_sql(periode)}) to '{out['skp']}'")
        con.execute(f"copy ({_hukdis_sql(periode, hukdis_per_mille)}) to '{out['hukdis']}'")
        for jenis in JENIS:
            counts[jenis] = con.execute(
                f"select count(*) from read_parquet('{out[jenis]}')"
            ).fetchone()[0]
            pattern = f"{(root / 'raw' / jenis).as_posix()}/*.parquet"
            con.execute(
                f"create or replace view raw.{jenis} as select * from"
                f" read_parquet('{pattern}', union_by_name = true)"
            )
            con.execute(
                f"""
                insert into audit.uploads (upload_id, jenis, instansi_kode, periode, source_file,
                    sha256, file_format, received_at, status, rows_read, rows_accepted,
                    rows_rejected, is_current)
                select 'u-{jenis}-' || instansi_kode, '{jenis}', instansi_kode, '{periode}',
                    'landing/{periode}/' || instansi_kode || '/{jenis}.csv',
                    md5(instansi_kode || '{jenis}'), 'parquet', timestamp '2026-01-05 08:00:00',
                    'loaded', 0, 0, 0, true
                from instansi
                """
            )
    finally:
        con.close()
    return counts


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/asn_perf")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000
    started = time.perf_counter()
    print(build_perf_warehouse(target, n), f"{time.perf_counter() - started:.1f}s")
