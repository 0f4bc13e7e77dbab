"""`asn ingest ... --json` as a subprocess: the JSON contract and the exit codes (0 / 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from corpus.build import csv_bytes, diklat_row, pegawai_row

ASN = Path(sys.executable).with_name("asn")
KEYS = {"upload_id", "jenis", "status", "rows_read", "rows_accepted", "rows_rejected", "error"}


def _ingest(data_dir: Path, file: Path, *args: str) -> tuple[int, dict]:
    env = {**os.environ, "ASN_DATA_DIR": str(data_dir)}
    env.pop("DUCKDB_DATABASE", None)
    proc = subprocess.run(
        [str(ASN), "ingest", str(file), "--instansi", "64.72", "--periode", "2025-12", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_cli_ingest_json_and_exit_codes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    good = tmp_path / "pegawai.csv"
    good.write_bytes(csv_bytes([pegawai_row(1), pegawai_row(2, golongan="X/y")]))
    code, out = _ingest(data_dir, good, "--json")
    assert code == 0 and out.keys() >= KEYS
    assert (out["status"], out["jenis"], out["rows_read"], out["rows_accepted"]) == (
        "loaded",
        "pegawai",
        2,
        1,
    )
    assert out["rows_rejected"] == 1 and out["error"] is None
    [rejection] = out["rejections"]
    assert set(rejection) == {"row", "column", "code", "message", "value"}
    assert (rejection["row"], rejection["column"], rejection["code"], rejection["value"]) == (
        3,
        "golongan",
        "kode_unknown",
        "X/y",
    )

    code, again = _ingest(data_dir, good, "--json")
    assert code == 0 and again["status"] == "duplicate"
    assert again["upload_id"] == out["upload_id"]

    wrong = tmp_path / "pegawai_salah.csv"
    wrong.write_bytes(csv_bytes([diklat_row(1)], jenis="diklat"))
    code, refused = _ingest(data_dir, wrong, "--jenis", "pegawai", "--json")
    assert code == 2 and refused["status"] == "refused"
    assert refused["error"].startswith("File pegawai_salah.csv bukan file pegawai")
    assert refused["rejections"] == [] and refused["rows_accepted"] == 0
