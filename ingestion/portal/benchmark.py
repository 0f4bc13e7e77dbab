"""`measure()`: many offices uploading at once against a real portal process (for `make bench`).

The portal runs as its own uvicorn process (as `asn portal` would) on a free localhost port with
a throwaway data dir; `n_offices` client threads, one token and one distinct file each, start
together behind a barrier. Latency = request start -> verdict (JSON) received.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from ingestion.paths import DataPaths
from ingestion.portal.auth import create_token
from ingestion.portal.registry import instansi_names
from ingestion.portal.samples import pegawai_csv
from ingestion.portal.server import free_port
from ingestion.portal.settings import PortalSettings
from ingestion.portal.store import Store


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _start(root: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ASN_DATA_DIR": str(root)}
    cmd = [
        sys.executable, "-m", "uvicorn", "ingestion.portal:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--backlog", "1024",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("portal did not start")


def measure(n_offices: int = 50, rows: int = 10_000, periode: str = "2025-12") -> dict[str, Any]:
    """Upload `n_offices` files of `rows` pegawai rows concurrently; latency and verdict counts."""
    with tempfile.TemporaryDirectory(prefix="asn-portal-bench-") as tmp:
        root = Path(tmp)
        settings = PortalSettings.for_paths(DataPaths.at(root).ensure())
        store = Store(settings.db_path)
        codes = sorted(instansi_names())[:n_offices]
        secrets_ = [create_token(store, code).secret for code in codes]
        files = [pegawai_csv(rows, messy_every=100, offset=i * rows) for i in range(n_offices)]
        port = free_port()
        proc = _start(root, port)
        barrier = threading.Barrier(n_offices)
        results: list[dict[str, Any]] = [{} for _ in range(n_offices)]

        def office(i: int) -> None:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {secrets_[i]}"},
                timeout=300,
            ) as client:
                barrier.wait()
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/uploads",
                    params={"periode": periode, "jenis": "pegawai"},
                    files={"file": (f"pegawai_{i}.csv", files[i], "text/csv")},
                )
                elapsed = time.perf_counter() - started
                body = response.json()
                results[i] = {
                    "http": response.status_code,
                    "status": body.get("status"),
                    "latency_s": elapsed,
                    "check_ms": body.get("check_ms"),
                    "rows_read": body.get("rows_read"),
                }

        try:
            threads = [threading.Thread(target=office, args=(i,)) for i in range(n_offices)]
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        latencies = [r["latency_s"] for r in results if r]
        accepted = [r for r in results if r.get("status") == "accepted"]
        landed = list((root / "landing" / periode).rglob("pegawai_*.csv"))
        checks = [r["check_ms"] for r in results if r.get("check_ms") is not None]
        return {
            "offices": n_offices,
            "rows_per_file": rows,
            "bytes_per_file": len(files[0]),
            "accepted": len(accepted),
            "landed_files": len(landed),
            "all_verdicts_shown": all(r.get("rows_read") == rows for r in results),
            "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(_percentile(latencies, 0.95), 3),
            "latency_max_s": round(max(latencies), 3),
            "check_p50_ms": round(statistics.median(checks)) if checks else None,
            "wall_s": round(wall, 3),
            "rows_per_s": round(n_offices * rows / wall),
        }


if __name__ == "__main__":
    offices = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    n_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    print(json.dumps(measure(offices, n_rows), indent=2))
