"""`asn bench`: time each phase of the pipeline next to bare baselines on the same files.

Every phase runs in its own Python process so that its peak memory (its own and its
subprocesses', e.g. dbt under Dagster) is measured alone. Data generation is not timed.
Baselines, measured in the same run on the same files:

- ``baseline_polars_read``: polars reads every pegawai file, all columns as text, with the
  format already known (what ingestion costs beyond reading);
- ``baseline_duckdb_checks``: the pegawai suite's checks written as one DuckDB query.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.table import Table


@dataclass
class PhaseResult:
    phase: str
    wall_s: float
    rows: int
    peak_rss_mib: float
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s > 0 else 0.0


@dataclass
class BenchReport:
    pegawai: int
    seed: int
    workdir: str
    phases: list[PhaseResult]
    ratios: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {
            "pegawai": self.pegawai,
            "seed": self.seed,
            "workdir": self.workdir,
            "phases": [asdict(p) | {"rows_per_s": round(p.rows_per_s)} for p in self.phases],
            "ratios": self.ratios,
        }

    def table(self) -> Table:
        table = Table(title=f"asn bench: {self.pegawai:,} pegawai (seed {self.seed})")
        for column in ("phase", "wall s", "rows", "rows/s", "peak RSS MiB"):
            table.add_column(column, justify="left" if column == "phase" else "right")
        for p in self.phases:
            table.add_row(
                p.phase,
                f"{p.wall_s:.2f}",
                f"{p.rows:,}",
                f"{p.rows_per_s:,.0f}",
                f"{p.peak_rss_mib:,.0f}",
            )
        for name, value in self.ratios.items():
            table.add_row(f"ratio {name}", f"{value:.2f}x", "", "", "")
        return table


# --- phases (each runs in a child process: `python -m dagster_project.bench PHASE DATA_DIR`) ---


def phase_baseline_polars_read(root: Path) -> tuple[int, dict[str, object]]:
    """Read every landing file (the same files `ingest` takes) with polars, all text, with the
    separator, encoding and header row already known."""
    import polars as pl

    from ingestion.landing import scan
    from ingestion.readers import decode_to_utf8, sniff_csv

    rows = {"pegawai": 0, "all": 0}
    files = scan(root / "landing")
    for f in files:
        path = f.path
        suffix = path.suffix.lower()
        if suffix == ".csv":
            data = decode_to_utf8(path.read_bytes(), path.name)
            separator, header_line = sniff_csv(data[:4096].decode("utf-8", errors="ignore"))
            frame = pl.read_csv(
                data, separator=separator, skip_lines=header_line, infer_schema_length=0
            )
        elif suffix == ".parquet":
            frame = pl.read_parquet(path)
        else:
            frame = pl.read_excel(path, engine="calamine", has_header=False, infer_schema_length=0)
        rows["all"] += frame.height
        if f.jenis_hint == "pegawai":
            rows["pegawai"] += frame.height
    return rows["pegawai"], {"files": len(files), "rows_all_types": rows["all"]}


def phase_ingest(root: Path) -> tuple[int, dict[str, object]]:
    import duckdb

    from ingestion.landing import scan
    from ingestion.load import ensure_warehouse
    from ingestion.paths import DataPaths
    from ingestion.pipeline import ingest_file

    paths = DataPaths.at(root)
    paths.ensure()
    con = duckdb.connect(str(paths.warehouse))
    ensure_warehouse(con, paths)
    rows = {"pegawai": 0, "all": 0, "rejected": 0}
    files = scan(paths.landing)
    for f in files:
        result = ingest_file(
            f.path,
            instansi_kode=f.instansi_kode,
            periode=f.periode,
            jenis=f.jenis_hint,
            paths=paths,
            con=con,
        )
        rows["all"] += result.rows_read
        rows["rejected"] += result.rows_rejected
        if result.jenis == "pegawai":
            rows["pegawai"] += result.rows_read
    con.close()
    return rows["pegawai"], {
        "files": len(files),
        "rows_all_types": rows["all"],
        "rows_rejected": rows["rejected"],
    }


CURRENT_PEGAWAI = """
select r.* from raw.pegawai as r
join audit.uploads as u on r.upload_id = u.upload_id
where u.is_current and u.status = 'loaded'
"""

# The pegawai suite's checks as one query: the bar the GX validation is measured against.
DUCKDB_CHECKS = f"""
with batch as ({CURRENT_PEGAWAI})
select
    count(*) as row_count,
    count(*) filter (where nip is null) as nip_null,
    count(*) filter (where nama is null) as nama_null,
    count(*) filter (where tanggal_lahir is null) as tanggal_lahir_null,
    count(*) filter (where not regexp_full_match(nip, '[0-9]{{18}}')) as nip_shape,
    count(*) - count(distinct nip) as nip_duplicates,
    count(*) filter (where jenis_kelamin not in ('L', 'P')) as jenis_kelamin_set,
    count(*) filter (where status_pegawai not in ('PNS', 'CPNS', 'PPPK')) as status_set,
    count(*) filter (where tanggal_lahir < date '1950-01-01' or tanggal_lahir > current_date)
        as tanggal_lahir_range
from batch
"""


def phase_baseline_duckdb_checks(root: Path) -> tuple[int, dict[str, object]]:
    import duckdb

    from ingestion.paths import DataPaths

    con = duckdb.connect(str(DataPaths.at(root).warehouse), read_only=True)
    row = con.execute(DUCKDB_CHECKS).fetchone()
    con.close()
    return int(row[0]), {"violations": int(sum(row[1:]))}


def phase_gx_checks(root: Path) -> tuple[int, dict[str, object]]:
    import duckdb

    from ingestion.paths import DataPaths
    from ingestion.quality import validate_batch

    con = duckdb.connect(str(DataPaths.at(root).warehouse), read_only=True)
    frame = con.sql(CURRENT_PEGAWAI).pl()
    con.close()
    validation = validate_batch(frame, "pegawai")
    failed = sum(1 for r in validation.results if not r.success)
    return len(frame), {"expectations": len(validation.results), "failed": failed}


def phase_dbt_build(root: Path) -> tuple[int, dict[str, object]]:
    """`dbt build` through Dagster; overhead = wall time beyond the summed node timings."""
    from dagster import DagsterInstance

    from dagster_project.manifest import ensure_manifest
    from dagster_project.project import DBT_PROJECT_DIR
    from dagster_project.runner import execute_job

    ensure_manifest()
    import dagster_project.definitions  # noqa: F401 - load before the clock starts

    started = time.perf_counter()
    with DagsterInstance.ephemeral() as instance:
        result = execute_job("asn_build", instance)
    wall = time.perf_counter() - started
    # dagster-dbt gives every invocation its own target directory: take the newest results.
    results_file = max(
        (DBT_PROJECT_DIR / "target").rglob("run_results.json"), key=lambda p: p.stat().st_mtime
    )
    run_results = json.loads(results_file.read_text())
    node_seconds = sum(r.get("execution_time", 0.0) for r in run_results["results"])
    import duckdb

    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select count(*) from core.fct_kepegawaian").fetchone()[0]
    con.close()
    return int(rows), {
        "success": result.success,
        "dbt_nodes": len(run_results["results"]),
        "summed_node_s": round(node_seconds, 2),
        "framework_overhead_share": round(max(wall - node_seconds, 0) / wall, 3),
    }


def phase_orchestration_burst(root: Path, uploads: int = 500) -> tuple[int, dict[str, object]]:
    """Issue 7: `uploads` pegawai files (one per instansi) land at once in a live deployment.

    Measures the time until all are ingested, checked and built into the warehouse by the
    daemon (sensor -> backfill -> runs), then the latency of one re-upload.
    """
    import shutil

    import dagster as dg

    from dagster_project.deployment import local_deployment, wait_for

    work = root / "orchestration"
    shutil.rmtree(work, ignore_errors=True)
    staging = work / "staging"
    sources = sorted((root / "landing").glob("*/*/pegawai.*"))[:uploads]
    for source in sources:
        target = staging / source.relative_to(root / "landing")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    data = work / "data"
    (data / "landing").mkdir(parents=True)
    with local_deployment(data, work / "dagster_home", work / "daemon.log") as dep:
        time.sleep(5)  # let the daemon start before the burst
        started = time.perf_counter()
        for periode_dir in staging.iterdir():
            (data / "landing" / periode_dir.name).mkdir(exist_ok=True)
            for instansi_dir in periode_dir.iterdir():
                instansi_dir.rename(data / "landing" / periode_dir.name / instansi_dir.name)
        wait_for(lambda: dep.batches_done(1), 1800, "the burst", poll_s=1)
        burst_s = time.perf_counter() - started
        first = dep.batches()
        failed = [r.run_id for r in dep.instance.get_runs() if r.status.value != "SUCCESS"]
        (loaded,) = dep.query("select count(*) from audit.uploads")[0]
        reupload = max(
            (data / "landing").rglob("pegawai.csv"), key=lambda p: p.read_bytes().count(b"\n")
        )
        lines = reupload.read_bytes().splitlines(keepends=True)
        landed = time.time()
        reupload.write_bytes(b"".join(lines[:-1]))
        wait_for(lambda: dep.batches_done(len(first) + 1), 600, "the re-upload", poll_s=0.5)
        done_s = time.time() - landed
        (batch,) = dep.batches() - first
        in_marts = dep.materialized_at(batch, dg.AssetKey(["marts", "mart_ip_asn_instansi"]))
        published = dep.materialized_at(batch, dg.AssetKey(["published", "warehouse"]))
        failed += [r.run_id for r in dep.instance.get_runs() if r.status.value != "SUCCESS"]
    return int(loaded), {
        "uploads": len(sources),
        "burst_batches": len(first),
        "burst_s": round(burst_s, 1),
        # Landing -> the marts committed in the warehouse; -> the BI copy swapped in;
        # -> the whole batch (feedback, Data Docs) finished.
        "reupload_in_marts_s": round(in_marts - landed, 1) if in_marts else None,
        "reupload_published_s": round(published - landed, 1) if published else None,
        "reupload_batch_done_s": round(done_s, 1),
        "failed_runs": sorted(set(failed)),
    }


def phase_executor_choice(root: Path) -> tuple[int, dict[str, object]]:
    """Issue 7: the same small job under the in-process and the multiprocess executor."""
    from dagster_project.executor_bench import measure_executors

    result = measure_executors(root, repeats=1)
    return int(result["steps"]), result


SCALE_PEGAWAI = int(os.environ.get("ASN_BENCH_SCALE_PEGAWAI", "5000000"))


def phase_ingest_5m(root: Path) -> tuple[int, dict[str, object]]:
    """Issue 3: 5,000,000 pegawai rows in a few big office files, ingest vs a bare polars read
    of the same files (each in its own child process, same run)."""
    from ingestion.benchmark import measure_ingest_scale

    result = measure_ingest_scale(root / "scale_ingest", rows=SCALE_PEGAWAI)
    return int(result["rows"]), result


def phase_dbt_build_5m(root: Path) -> tuple[int, dict[str, object]]:
    """Issues 5 and 6: the full dbt build (IP ASN, award, indicators included) through Dagster
    over a 5,000,000-employee warehouse; overhead beyond the summed model times."""
    from dagster_project.bench_warehouse import measure_dbt_build_at_scale

    result = measure_dbt_build_at_scale(root / "scale_warehouse", n_pegawai=SCALE_PEGAWAI)
    return SCALE_PEGAWAI, result


def phase_gx_uploads_100(root: Path) -> tuple[int, dict[str, object]]:
    """Issue 4: GX fixed cost per upload, 100 small uploads (fresh session vs kept session)."""
    from ingestion.quality.benchmark import measure_uploads

    result = measure_uploads(100)
    return 100, result


def phase_gx_vs_duckdb_1m(root: Path) -> tuple[int, dict[str, object]]:
    """Issue 4: the full GX suite on a 1,000,000-row batch vs the same checks as one query."""
    from ingestion.quality.benchmark import measure

    result = measure(1_000_000)
    return 1_000_000, {k: v for k, v in result.items() if k != "counts"}


def phase_portal_50_offices(root: Path) -> tuple[int, dict[str, object]]:
    """Issue 8: 50 offices upload 10,000-row files at once; upload-to-verdict latency."""
    from ingestion.portal.benchmark import measure

    result = measure(n_offices=50, rows=10_000)
    return 50 * 10_000, result


PHASES: dict[str, Callable[[Path], tuple[int, dict[str, object]]]] = {
    "baseline_polars_read": phase_baseline_polars_read,
    "ingest": phase_ingest,
    "baseline_duckdb_checks": phase_baseline_duckdb_checks,
    "gx_checks": phase_gx_checks,
    "dbt_build": phase_dbt_build,
    "executor_choice": phase_executor_choice,
    "orchestration_burst": phase_orchestration_burst,
    "gx_vs_duckdb_1m": phase_gx_vs_duckdb_1m,
    "gx_uploads_100": phase_gx_uploads_100,
    "ingest_5m": phase_ingest_5m,
    "dbt_build_5m": phase_dbt_build_5m,
    "portal_50_offices": phase_portal_50_offices,
}


# Phases that build their own data (the others share the national sample of `--pegawai`).
SELF_CONTAINED = {
    "gx_vs_duckdb_1m",
    "gx_uploads_100",
    "ingest_5m",
    "dbt_build_5m",
    "portal_50_offices",
}

# ratio label -> (phase, its baseline measured in the same run)
RATIOS = {
    "ingest / polars read": ("ingest", "baseline_polars_read"),
    "gx checks / duckdb query": ("gx_checks", "baseline_duckdb_checks"),
}


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # ru_maxrss is in KiB on Linux


def _run_phase_in_child(name: str, root: Path) -> PhaseResult:
    env = dict(os.environ, ASN_DATA_DIR=str(root), DAGSTER_HOME=str(root / "dagster_home"))
    env.pop("DUCKDB_DATABASE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "dagster_project.bench", name, str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench phase {name} failed:\n{proc.stderr[-4000:]}")
    payload = json.loads(proc.stdout.strip().splitlines()[-1])
    return PhaseResult(**payload)


def run_benchmark(
    pegawai: int, seed: int, workdir: Path | None = None, only: list[str] | None = None
) -> BenchReport:
    from ingestion.synthetic import generate

    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="asn-bench-"))
    root = (base / "data").resolve()
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(only or []) - set(PHASES))
    if unknown:
        raise ValueError(f"unknown bench phases {unknown}; known: {sorted(PHASES)}")
    selected = [name for name in PHASES if not only or name in only]
    if set(selected) - SELF_CONTAINED:
        generate(root / "landing", pegawai=pegawai, seed=seed, messy=0.01, progress=True)
    phases = [_run_phase_in_child(name, root) for name in selected]
    by_name = {p.phase: p for p in phases}
    ratios: dict[str, float] = {}
    for label, (slow, bare) in RATIOS.items():
        if slow in by_name and bare in by_name:
            ratios[label] = by_name[slow].wall_s / by_name[bare].wall_s
    return BenchReport(
        pegawai=pegawai,
        seed=seed,
        workdir=str(base),
        phases=phases,
        ratios={k: round(v, 2) for k, v in ratios.items()},
    )


def _main(argv: list[str]) -> None:
    name, root = argv[0], Path(argv[1])
    started = time.perf_counter()
    rows, extra = PHASES[name](root)
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "phase": name,
                "wall_s": round(wall, 3),
                "rows": rows,
                "peak_rss_mib": round(_peak_rss_mib(), 1),
                "extra": extra,
            }
        )
    )


if __name__ == "__main__":
    _main(sys.argv[1:])
