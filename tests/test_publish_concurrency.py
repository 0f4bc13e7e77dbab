"""BI readers query the published file continuously while builds and publications run.

A reader process (a BI tool) opens ``published/asn_marts.duckdb`` read-only in a loop and
checks, per connection, that every table has the row count its ``_publication`` row states and
that one connection sees one version. Meanwhile this process rebuilds the real warehouse file
while holding the pipeline's write lock (as dbt does) and publishes after each build. The
reader must never fail, must see complete versions only, and must keep answering *while the
lock is held*: it never waits for the pipeline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from test_publish_fixture import build_warehouse

from dagster_project.locks import warehouse_write_lock
from dagster_project.publish import PublishSettings, publish

READER = r"""
import json, sys, time
import duckdb
path, stop, out = sys.argv[1], sys.argv[2], open(sys.argv[3], "w")
import os
while not os.path.exists(stop):
    start = time.time()
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            meta = con.execute("select version, table_name, row_count from _publication").fetchall()
            counts = {
                t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for _, t, _ in meta
            }
            ok = len({v for v, _, _ in meta}) == 1 and all(counts[t] == n for _, t, n in meta)
            rec = {"start": start, "end": time.time(), "version": meta[0][0], "complete": ok}
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - every failure is a finding
        rec = {"start": start, "end": time.time(), "error": repr(exc)}
    out.write(json.dumps(rec) + "\n"); out.flush()
    time.sleep(0.02)
"""


def test_readers_see_complete_versions_and_never_wait(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "warehouse.duckdb")
    published = tmp_path / "published"
    settings = PublishSettings(pseudonym_key="k", keep_versions=2)
    versions = [publish(warehouse, published, settings=settings).version]

    stop, log = tmp_path / "stop", tmp_path / "reader.jsonl"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published / "asn_marts.duckdb"), str(stop), str(log)]
    )
    windows: list[tuple[float, float]] = []
    try:
        time.sleep(0.5)
        for bump in range(1, 4):
            # "dbt build": the warehouse is written under the pipeline's lock for a while
            with warehouse_write_lock(warehouse):
                start = time.time()
                build_warehouse(warehouse, bump=bump)
                time.sleep(1.0)
                windows.append((start, time.time()))
            versions.append(publish(warehouse, published, settings=settings).version)
            time.sleep(0.3)
    finally:
        stop.touch()
        reader.wait(timeout=30)

    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) > 20
    errors = [r for r in records if "error" in r]
    assert errors == []
    assert all(r["complete"] for r in records)
    seen = {r["version"] for r in records}
    assert seen <= set(versions) and len(seen) >= 3, (seen, versions)
    # versions only move forward
    order = [r["version"] for r in records]
    assert order == sorted(order)
    # the reader answered while the pipeline held the lock, fast
    for start, end in windows:
        inside = [r for r in records if start <= r["start"] and r["end"] <= end]
        assert inside, f"no read completed during the lock window {start}..{end}"
    assert max(r["end"] - r["start"] for r in records) < 1.0
