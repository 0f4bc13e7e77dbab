"""Reproducible throughput measurement of `ingest_file` next to a bare polars read (no pytest).

`measure_ingest(path)` times, in fresh child processes so each phase has its own peak RSS, a
bare `pl.read_csv` of the file (all text, separator known) and a full `ingest_file` into a
scratch data directory, alternating them `repeats` times (the machine is shared: the same run
measures both). `build_pegawai_csv(path, rows)` writes a big valid pegawai CSV by replicating
the valid rows of a small synthetic sample with unique NIPs. `measure_ingest_scale(workdir)`
does the same for the issue #3 target: 5 M pegawai rows in a few big office files.

    python -m ingestion.benchmark build /tmp/pegawai_5m.csv 5000000
    python -m ingestion.benchmark measure /tmp/pegawai_5m.csv
    python -m ingestion.benchmark scale /tmp/asn-scale 5000000 4
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

BIRTH_BASE = "1965-01-01"


def _peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024


def _pool(seed: int, pegawai: int) -> pl.DataFrame:
    """Raw text of the valid rows of a clean synthetic sample, under canonical column names."""
    from ingestion.headers import resolve_jenis
    from ingestion.landing import scan
    from ingestion.readers import SOURCE_ROW, read_table
    from ingestion.synthetic import generate
    from ingestion.validate import validate_rows

    frames: list[pl.DataFrame] = []
    with tempfile.TemporaryDirectory(prefix="asn-pool-") as tmp:
        generate(Path(tmp), pegawai=pegawai, seed=seed, messy=0.0)
        for f in scan(tmp):
            if f.jenis_hint != "pegawai" or f.path.suffix != ".csv":
                continue
            table = read_table(f.path, f.path.read_bytes())
            fit = resolve_jenis(table.labels, "pegawai", f.path.name)
            checked = validate_rows(table, "pegawai", fit.mapping)
            keep = checked.accepted["source_row"]
            frames.append(
                table.frame.filter(pl.col(SOURCE_ROW).is_in(keep.implode()))
                .select([pl.col(label).alias(col) for label, col in fit.mapping.items()])
                .with_columns(pl.all().cast(pl.String))
            )
    return pl.concat(frames, how="diagonal_relaxed")


def build_pegawai_csv(
    path: str | Path,
    rows: int,
    *,
    seed: int = 1,
    pool_size: int = 3000,
    separator: str = ",",
    start: int = 0,
) -> Path:
    """Write `rows` valid pegawai rows: synthetic rows cycled, each with a unique NIP.

    Rows are numbered from `start` (files built with disjoint ranges share no NIP and differ
    in content). Row i gets birth date BIRTH_BASE + i // 1998 days, gender 1 + (i // 999) % 2
    and serial 1 + i % 999 (so NIPs never repeat), a TMT CPNS 25 years after birth, and matching
    `tanggal_lahir` (dd/mm/yyyy) and `jenis_kelamin` cells; every other cell comes from the
    pool as the offices wrote it.
    """
    return _write_rows(Path(path), rows, _pool(seed, pool_size), start, separator)


def _write_rows(path: Path, rows: int, pool: pl.DataFrame, start: int, separator: str) -> Path:
    pool = pool.drop("nip", "tanggal_lahir", "jenis_kelamin", strict=False)
    idx = pl.int_range(start, start + rows, dtype=pl.Int64)
    birth = pl.lit(BIRTH_BASE).str.to_date() + pl.duration(days=idx // 1998)
    gender = 1 + (idx // 999) % 2
    frame = (
        pl.select(idx.alias("i"))
        .with_columns(
            birth.alias("_birth"), gender.alias("_g"), (1 + pl.col("i") % 999).alias("_s")
        )
        .with_columns(
            pl.concat_str(
                pl.col("_birth").dt.strftime("%Y%m%d"),
                (pl.col("_birth").dt.year() + 25).cast(pl.String),
                pl.lit("03"),
                pl.col("_g").cast(pl.String),
                pl.col("_s").cast(pl.String).str.zfill(3),
            ).alias("nip"),
            pl.col("_birth").dt.strftime("%d/%m/%Y").alias("tanggal_lahir"),
            pl.when(pl.col("_g") == 1)
            .then(pl.lit("Pria"))
            .otherwise(pl.lit("Wanita"))
            .alias("jenis_kelamin"),
            (pl.col("i") % pool.height).alias("_p"),
        )
    )
    pool = pool.with_row_index("_p").with_columns(pl.col("_p").cast(pl.Int64))
    out = frame.join(pool, on="_p", how="left", maintain_order="left").drop(
        "i", "_birth", "_g", "_s", "_p"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(path, separator=separator)
    return path


# ------------------------------------------------------------------------------ phases


def _phase_read(path: Path) -> dict[str, Any]:
    from ingestion.readers import decode_to_utf8, sniff_csv

    started = time.perf_counter()
    if path.suffix.lower() == ".csv":
        with path.open("rb") as fh:
            head = decode_to_utf8(fh.read(1 << 16), path.name).decode("utf-8", errors="ignore")
        separator, _ = sniff_csv(head)
        frame = pl.read_csv(path, separator=separator, infer_schema_length=0)
    else:
        frame = pl.read_parquet(path)
    return {"wall_s": time.perf_counter() - started, "rows": frame.height}


def _phase_ingest(path: Path) -> dict[str, Any]:
    import duckdb

    from ingestion.paths import DataPaths
    from ingestion.pipeline import ingest_file

    root = Path(tempfile.mkdtemp(prefix="asn-bench-ingest-"))
    try:
        paths = DataPaths.at(root).ensure()
        con = duckdb.connect(str(paths.warehouse))
        started = time.perf_counter()
        result = ingest_file(path, "64", "2025-12", "pegawai", paths=paths, con=con)
        wall = time.perf_counter() - started
        con.close()
        return {
            "wall_s": wall,
            "rows": result.rows_read,
            "rows_accepted": result.rows_accepted,
            "rows_rejected": result.rows_rejected,
            "status": result.status,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _phase_read_many(paths: list[Path]) -> dict[str, Any]:
    """Bare polars read of CSV files whose separator is known (`,`): all text, one after the
    other, each frame dropped before the next (what the ingest holds at most is one file)."""
    started = time.perf_counter()
    rows = 0
    for path in paths:
        rows += pl.read_csv(path, separator=",", infer_schema_length=0).height
    return {"wall_s": time.perf_counter() - started, "rows": rows}


#: Instansi codes of the scale files (real register codes: the biggest uploads come from
#: provinces and their large kabupaten/kota).
SCALE_INSTANSI = ("64", "64.02", "64.72", "64.71", "64.01", "64.03", "64.07", "64.08")


def _phase_ingest_many(paths: list[Path]) -> dict[str, Any]:
    """`ingest_file` of every file into one scratch data directory through one connection
    (what a Dagster run over several partitions does)."""
    import duckdb

    from ingestion.paths import DataPaths
    from ingestion.pipeline import ingest_file

    root = Path(tempfile.mkdtemp(prefix="asn-bench-scale-"))
    try:
        data = DataPaths.at(root).ensure()
        con = duckdb.connect(str(data.warehouse))
        started = time.perf_counter()
        results = [
            ingest_file(path, _scale_instansi(i), "2025-12", "pegawai", paths=data, con=con)
            for i, path in enumerate(paths)
        ]
        wall = time.perf_counter() - started
        con.close()
        return {
            "wall_s": wall,
            "rows": sum(r.rows_read for r in results),
            "rows_accepted": sum(r.rows_accepted for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results),
            "statuses": [r.status for r in results],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _scale_instansi(i: int) -> str:
    return SCALE_INSTANSI[i] if i < len(SCALE_INSTANSI) else f"64.{i + 1:02d}"


_PHASES = {"read": _phase_read, "ingest": _phase_ingest}
_MANY_PHASES = {"read_many": _phase_read_many, "ingest_many": _phase_ingest_many}


def _run_child(phase: str, *paths: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "ingestion.benchmark", "_phase", phase, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "POLARS_VERBOSE": "0"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark phase {phase} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_ingest(path: str | Path, repeats: int = 3) -> dict[str, Any]:
    """Time a bare polars read and `ingest_file` of `path`, alternating, `repeats` times each.

    Returns medians and minima of the wall times, rows/s of ingest, the ratio ingest / bare read
    (median and best), and the peak RSS of each phase's process (MiB).
    """
    path = Path(path).resolve()
    runs: dict[str, list[dict[str, Any]]] = {"read": [], "ingest": []}
    for _ in range(repeats):
        for phase in ("read", "ingest"):
            runs[phase].append(_run_child(phase, path))
    read_cpu = [r["cpu_s"] for r in runs["read"]]
    ingest_cpu = [r["cpu_s"] for r in runs["ingest"]]
    read_s = [r["wall_s"] for r in runs["read"]]
    ingest_s = [r["wall_s"] for r in runs["ingest"]]
    rows = runs["ingest"][0]["rows"]
    med_read, med_ingest = statistics.median(read_s), statistics.median(ingest_s)
    return {
        "file": str(path),
        "size_mib": round(path.stat().st_size / 2**20, 1),
        "rows": rows,
        "rows_accepted": runs["ingest"][0]["rows_accepted"],
        "status": runs["ingest"][0]["status"],
        "repeats": repeats,
        "read_s": [round(s, 3) for s in read_s],
        "ingest_s": [round(s, 3) for s in ingest_s],
        "read_s_median": round(med_read, 3),
        "ingest_s_median": round(med_ingest, 3),
        "ingest_rows_per_s": round(rows / med_ingest),
        "ingest_rows_per_s_best": round(rows / min(ingest_s)),
        "ratio_ingest_vs_read": round(med_ingest / med_read, 2),
        "ratio_best": round(min(ingest_s) / min(read_s), 2),
        # CPU seconds of each child process (imports included): steadier than wall time when
        # other work shares the machine.
        "read_cpu_s_median": round(statistics.median(read_cpu), 2),
        "ingest_cpu_s_median": round(statistics.median(ingest_cpu), 2),
        "ratio_cpu": round(statistics.median(ingest_cpu) / statistics.median(read_cpu), 2),
        "peak_rss_mib_read": round(max(r["peak_rss_mib"] for r in runs["read"]), 1),
        "peak_rss_mib_ingest": round(max(r["peak_rss_mib"] for r in runs["ingest"]), 1),
    }


def measure_ingest_scale(
    workdir: Path, rows: int = 5_000_000, files: int = 4, *, repeats: int = 1
) -> dict[str, Any]:
    """Issue #3 target: `rows` pegawai rows in `files` CSVs, ingested next to a bare read.

    Layout: a few big office files (default 4 x 1.25 M rows, ~340 MiB each) rather than one
    5 M-row file or thousands of small ones. National volume arrives as one pegawai extract per
    instansi, and the uploads that stress ingestion are the big provinces and ministries with
    hundreds of thousands to a few million employees; several files also make the per-file
    costs (hashing, archive copy, Parquet file, one DuckDB commit each) count as many times as
    they would in a run, while every file is far above the size where ingestion streams in
    batches (so peak memory must stay at about one batch, whatever `rows` is). Each file gets
    its own NIP range (no two files share content, so the archive really copies each).

    The files are built once under `workdir` (untimed; reused when present). Then, in fresh
    child processes, alternating `repeats` times: a bare `pl.read_csv` of exactly those files
    (all text, separator known) and `ingest_file` of each into a scratch data directory.
    Returns rows, wall seconds (median), rows/s, the ratio ingest / bare read, CPU seconds
    (user + system, all threads, imports included) and peak RSS (MiB) of each phase.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if files < 1 or rows < files:
        raise ValueError("need at least one row per file")
    per_file = [rows // files + (1 if i < rows % files else 0) for i in range(files)]
    paths: list[Path] = []
    start = 0
    pool: pl.DataFrame | None = None
    for i, n in enumerate(per_file):
        path = workdir / f"pegawai_{i + 1}_of_{files}_{rows}.csv"
        if not path.exists():
            pool = pool if pool is not None else _pool(1, 3000)
            tmp = path.with_name(f".{path.name}.tmp")
            _write_rows(tmp, n, pool, start, ",")
            os.replace(tmp, path)
        paths.append(path.resolve())
        start += n
    runs: dict[str, list[dict[str, Any]]] = {"read_many": [], "ingest_many": []}
    for _ in range(repeats):
        for phase in runs:
            runs[phase].append(_run_child(phase, *paths))
    read, ingest = runs["read_many"], runs["ingest_many"]
    if ingest[0]["rows"] != rows or read[0]["rows"] != rows:
        raise RuntimeError(f"expected {rows} rows, read {read[0]['rows']}, got {ingest[0]}")

    def med(phase: list[dict[str, Any]], key: str) -> float:
        return statistics.median(r[key] for r in phase)

    read_s, ingest_s = med(read, "wall_s"), med(ingest, "wall_s")
    read_cpu, ingest_cpu = med(read, "cpu_s"), med(ingest, "cpu_s")
    return {
        "rows": rows,
        "files": files,
        "size_mib": round(sum(p.stat().st_size for p in paths) / 2**20, 1),
        "repeats": repeats,
        "rows_accepted": ingest[0]["rows_accepted"],
        "statuses": sorted(set(ingest[0]["statuses"])),
        "read_s": round(read_s, 3),
        "ingest_s": round(ingest_s, 3),
        "read_rows_per_s": round(rows / read_s),
        "ingest_rows_per_s": round(rows / ingest_s),
        "ratio_ingest_vs_read": round(ingest_s / read_s, 2),
        "read_cpu_s": round(read_cpu, 2),
        "ingest_cpu_s": round(ingest_cpu, 2),
        "ratio_cpu": round(ingest_cpu / read_cpu, 2),
        "peak_rss_mib_read": round(max(r["peak_rss_mib"] for r in read), 1),
        "peak_rss_mib_ingest": round(max(r["peak_rss_mib"] for r in ingest), 1),
        "read_s_all": [round(r["wall_s"], 3) for r in read],
        "ingest_s_all": [round(r["wall_s"], 3) for r in ingest],
    }


def _main(argv: list[str]) -> None:
    if argv[:1] == ["_phase"]:
        if argv[1] in _MANY_PHASES:
            out = _MANY_PHASES[argv[1]]([Path(a) for a in argv[2:]])
        else:
            out = _PHASES[argv[1]](Path(argv[2]))
        out["peak_rss_mib"] = _peak_rss_mib()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out["cpu_s"] = usage.ru_utime + usage.ru_stime  # whole process, all threads
        print(json.dumps(out))
    elif argv[:1] == ["build"]:
        started = time.perf_counter()
        target = build_pegawai_csv(argv[1], int(argv[2]))
        print(f"wrote {target} in {time.perf_counter() - started:.1f} s")
    elif argv[:1] == ["scale"]:
        rows = int(argv[2]) if len(argv) > 2 else 5_000_000
        files = int(argv[3]) if len(argv) > 3 else 4
        repeats = int(argv[4]) if len(argv) > 4 else 1
        print(
            json.dumps(measure_ingest_scale(Path(argv[1]), rows, files, repeats=repeats), indent=2)
        )
    elif argv[:1] == ["measure"]:
        repeats = int(argv[2]) if len(argv) > 2 else 3
        print(json.dumps(measure_ingest(argv[1], repeats=repeats), indent=2))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    _main(sys.argv[1:])
