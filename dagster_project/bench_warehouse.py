"""The national `dbt build` through Dagster, timed (issues #5 and #6).

``measure_dbt_build_at_scale(root, n_pegawai)`` writes the synthetic national warehouse of
``ingestion.synthetic.scale`` under ``root`` (not timed), then materialises every dbt asset of
the real Definitions in process, as ``asn build`` does (the ``asn_build`` job of
``dagster_project.definitions`` with its dbt assets and their checks selected: seeds, snapshots,
every model including IP ASN, award and indicators, every data and unit test; one `dbt build`
invocation), and reads that invocation's ``run_results.json``.

Figures returned:

- ``wall_s``: from the job start to its end (Definitions loaded and dbt's manifest and
  partial-parse state prepared beforehand, as ``make manifest`` does for production);
- ``summed_node_s``: the sum of dbt's per-node ``execution_time`` of that invocation;
- ``overhead_share``: ``(wall_s - summed_node_s) / wall_s``, floored at 0 (the issue's
  definition; with more than one dbt thread nodes overlap, so the sum can exceed the wall);
- ``outside_dbt_execution_s`` / ``outside_dbt_execution_share``: wall time outside dbt's own
  execution phase (``elapsed_time`` of run_results: dbt and Dagster start-up, parsing, event
  handling, teardown), which does not depend on the thread count;
- ``cpu_s_dagster_process`` / ``cpu_s_dbt_process``: CPU seconds (user + system) of the
  Dagster process and of dbt's subprocess during the job: the figures that do not depend on
  what else the machine runs;
- ``dbt_threads``, ``dbt_nodes``, ``slowest_nodes`` (top 10), ``success``, ``failed_nodes``,
  ``rows_fct_kepegawaian``, ``rows_fct_ip_asn``, ``dbt_peak_rss_mib`` (largest child process).

Command line (prints the figures as JSON)::

    .venv/bin/python -m dagster_project.bench_warehouse /tmp/asn_scale 5000000
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ENV_KEYS = ("ASN_DATA_DIR", "DUCKDB_DATABASE", "DAGSTER_HOME", "DBT_TARGET_PATH")


@contextmanager
def _pointed_at(root: Path) -> Iterator[None]:
    """ASN_DATA_DIR, DUCKDB_DATABASE and DAGSTER_HOME under ``root`` for the block (restored)."""
    saved = {key: os.environ.get(key) for key in _ENV_KEYS}
    os.environ["ASN_DATA_DIR"] = str(root)
    os.environ["DUCKDB_DATABASE"] = str(root / "warehouse.duckdb")
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    # dbt's artefacts of this measurement (and its partial-parse state) stay under root: the
    # shared dbt/target is rewritten by whoever parses last (sqlfluff's lint target, tests)
    os.environ["DBT_TARGET_PATH"] = str(root / "dbt_target")
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its finished children (dbt)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _prepare_partial_parse() -> None:
    """``dbt parse`` into DBT_TARGET_PATH with this environment, as ``make manifest`` prepares
    production: dagster-dbt copies the partial-parse state into each invocation's directory,
    and dbt reuses it only when the profile (warehouse path included) is the same."""
    from dagster_project.project import DBT_PROJECT_DIR, dbt_executable

    project = str(DBT_PROJECT_DIR)
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", project, "--profiles-dir", project],
        check=True,
    )


def _invocation_run_results(run_id: str, started_at: float) -> Path:
    """The run_results.json of the dbt invocation of this run (dagster-dbt names the target
    directory ``<op>-<run id[:7]>-<uuid>``); else the newest one written since the start."""
    target = Path(os.environ["DBT_TARGET_PATH"])
    mine = sorted(target.glob(f"*-{run_id[:7]}-*/run_results.json"))
    if len(mine) == 1:
        return mine[0]
    fresh = [p for p in target.rglob("run_results.json") if p.stat().st_mtime >= started_at]
    if not fresh:
        raise RuntimeError("no run_results.json written by this run")
    return max(fresh, key=lambda p: p.stat().st_mtime)


def measure_dbt_build_at_scale(root: Path, n_pegawai: int = 5_000_000) -> dict:
    """Build the fixture under ``root`` (untimed), run the full dbt build through Dagster, and
    return its timings and counts (see the module docstring)."""
    import dagster as dg
    import duckdb

    from dagster_project.manifest import ensure_manifest
    from ingestion.synthetic.scale import build_perf_warehouse

    root = Path(root).expanduser().resolve()
    fixture_started = time.perf_counter()
    counts = build_perf_warehouse(root, n_pegawai)
    fixture_s = time.perf_counter() - fixture_started

    with _pointed_at(root):
        ensure_manifest()
        _prepare_partial_parse()
        from dagster_project.definitions import defs
        from dagster_project.defs.assets.dbt import asn_dbt_models

        # `asn build` runs this job; the non-dbt groups it also holds (feedback, publication)
        # are left out, the dbt assets keep all their checks (dbt tests).
        job = defs.resolve_job_def("asn_build")
        selection = sorted(asn_dbt_models.keys, key=lambda k: k.to_user_string())
        threads = int(os.environ.get("DBT_THREADS", "1"))
        load_avg = os.getloadavg()[0]

        cpu_before = _cpu_seconds()
        started_at = time.time()
        started = time.perf_counter()
        with dg.DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, asset_selection=selection, raise_on_error=False
            )
        wall = time.perf_counter() - started
        cpu_after = _cpu_seconds()
        load_after = os.getloadavg()[0]

        run_results = json.loads(_invocation_run_results(result.run_id, started_at).read_text())
        nodes = run_results["results"]
        summed = sum(float(r.get("execution_time") or 0.0) for r in nodes)
        dbt_elapsed = float(run_results.get("elapsed_time") or 0.0)
        failed = [r["unique_id"] for r in nodes if r["status"] in ("error", "fail")]
        slowest = sorted(nodes, key=lambda r: r.get("execution_time") or 0.0, reverse=True)[:10]
        checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]

        con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
        try:
            rows_kepegawaian = con.execute("select count(*) from core.fct_kepegawaian").fetchone()
            rows_ip_asn = con.execute("select count(*) from core.fct_ip_asn").fetchone()
        finally:
            con.close()

    children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "n_pegawai": n_pegawai,
        "fixture_rows": counts,
        "fixture_s": round(fixture_s, 1),
        "success": bool(result.success) and not failed,
        "dbt_threads": threads,
        "wall_s": round(wall, 2),
        "summed_node_s": round(summed, 2),
        "overhead_share": round(max(wall - summed, 0.0) / wall, 3),
        "dbt_elapsed_s": round(dbt_elapsed, 2),
        "outside_dbt_execution_s": round(wall - dbt_elapsed, 2),
        "outside_dbt_execution_share": round((wall - dbt_elapsed) / wall, 3),
        "cpu_s_dagster_process": round(cpu_after[0] - cpu_before[0], 1),
        "cpu_s_dbt_process": round(cpu_after[1] - cpu_before[1], 1),
        "dbt_nodes": len(nodes),
        "asset_check_evaluations": len(checks),
        "failed_nodes": failed,
        "slowest_nodes": [
            {"node": r["unique_id"], "s": round(float(r.get("execution_time") or 0.0), 2)}
            for r in slowest
        ],
        "rows_fct_kepegawaian": int(rows_kepegawaian[0]),
        "rows_fct_ip_asn": int(rows_ip_asn[0]),
        "dbt_peak_rss_mib": round(children_rss, 1),
        "load_avg_1m_before_after": [round(load_avg, 2), round(load_after, 2)],
        "cpu_count": os.cpu_count(),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/asn_scale")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000_000
    print(json.dumps(measure_dbt_build_at_scale(target, n)))  # one line, last: easy to parse
