"""Executor choice, measured: the same small job under the in-process and the multiprocess
executor, alternating, on one data directory (``asn bench --only executor_choice``).

The job is ``asn_ingest`` over the partitions of a few offices copied from the sample's landing
area into a scratch data directory, after one warm-up run has loaded them: then the ingestion
step finds each file a duplicate and the four GX checks find nothing new, so what is left is
what each executor costs per step (the multiprocess executor starts a Python process and loads
the code location for every step).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import dagster as dg

from dagster_project.runner import RANGE_END, RANGE_START, register_landing_partitions
from ingestion.paths import DataPaths

JOB = "asn_ingest"
EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


def job_with_executor(executor: str) -> dg.JobDefinition:
    """Reconstructable entry point: the job as the code location defines it, on `executor`."""
    from dagster_project.definitions import build_definitions

    return build_definitions(EXECUTORS[executor]).resolve_job_def(JOB)


def _run_once(executor: str, instance: dg.DagsterInstance, tags: dict[str, str]) -> tuple:
    job = dg.build_reconstructable_job(
        "dagster_project.executor_bench", "job_with_executor", reconstructable_args=(executor,)
    )
    started = time.perf_counter()
    with dg.execute_job(job, instance=instance, tags=tags) as result:
        wall = time.perf_counter() - started
        steps = len(result.get_step_success_events())
        return wall, steps, result.success


def _copy_offices(root: Path, scratch: Path, offices: int) -> None:
    sources = sorted(p for p in (root / "landing").glob("*/*") if p.is_dir())[:offices]
    for source in sources:
        shutil.copytree(source, scratch / "landing" / source.relative_to(root / "landing"))


def measure_executors(root: Path, repeats: int = 3, offices: int = 5) -> dict[str, object]:
    """Median wall time of the job per executor, its step count and the cost per step."""
    # The multiprocess executor needs a persistent instance (steps read the run from it); its
    # step processes inherit ASN_DATA_DIR from this one.
    with (
        tempfile.TemporaryDirectory(prefix="asn-executor-") as scratch,
        dg.DagsterInstance.local_temp(tempdir=scratch) as instance,
    ):
        data = Path(scratch) / "data"
        _copy_offices(root, data, offices)
        os.environ["ASN_DATA_DIR"] = str(data)
        os.environ.pop("DUCKDB_DATABASE", None)
        keys = register_landing_partitions(instance, DataPaths.at(data))
        tags = {RANGE_START: keys[0], RANGE_END: keys[-1]}
        _run_once("in_process", instance, tags)  # loads every file once: later runs equal
        walls: dict[str, list[float]] = {name: [] for name in EXECUTORS}
        steps: dict[str, int] = {}
        for _ in range(repeats):
            for name in EXECUTORS:
                wall, n_steps, ok = _run_once(name, instance, tags)
                if not ok:
                    raise RuntimeError(f"{JOB} failed under the {name} executor")
                walls[name].append(wall)
                steps[name] = n_steps
    median = {name: statistics.median(values) for name, values in walls.items()}
    n_steps = steps["multiprocess"]
    return {
        "job": JOB,
        "offices": offices,
        "steps": n_steps,
        "repeats": repeats,
        "in_process_s": round(median["in_process"], 2),
        "multiprocess_s": round(median["multiprocess"], 2),
        "multiprocess_extra_per_step_s": round(
            (median["multiprocess"] - median["in_process"]) / max(n_steps, 1), 2
        ),
        "ratio_multiprocess_vs_in_process": round(median["multiprocess"] / median["in_process"], 2),
    }
