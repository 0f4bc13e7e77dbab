"""GX validation of a large batch against the same checks as ONE DuckDB query (``asn bench``).

``measure(n_rows)`` builds a synthetic pegawai batch of ``n_rows`` rows (vectorised polars, a
few planted errors), writes it as raw Parquet, then times in the same process:

- ``gx_s``: ``validate_parquet`` on a fresh :class:`GXSession` (GX 1.x on the ``asn_duckdb``
  datasource; context, datasource, suite and rule tables set up and torn down inside the time);
- ``gx_warm_s``: ``validate_parquet`` on the process's session (the production path for every
  upload after a process's first: set-up already paid, the whole suite still run by GX);
- ``duckdb_s``: the same suite translated by :func:`suite_as_sql` into one DuckDB query over the
  same Parquet file (one scalar per expectation: unexpected count or row count, duplicates
  counted as GX counts them), on a fresh in-memory connection loading the same rule tables.

The three alternate, ``repeat`` times after one warm-up; the best time of each is reported,
``ratio`` = ``gx_s / duckdb_s`` and ``ratio_warm`` = ``gx_warm_s / duckdb_s``.

``measure_uploads(n)`` is the per-upload fixed cost: ``n`` small uploads validated one by one,
each on a fresh session (the set-up every validation paid before sessions were kept), on a
kept session that lets GX rebuild configurations and metric ids on every use (GX as shipped,
see ``gx_reuse``) and on the process's session (the production path), in turn.
``reused_vs_shipped`` compares the last two.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingestion.quality.runner import (
    BATCH_VIEW,
    RULE_TABLES,
    UNEXPECTED_ROWS,
    BatchValidation,
    GXSession,
    _sql_literal,
    _substitute_sql,
    default_parameters,
    load_suite,
    validate_parquet,
)


def _in_list(values: list[Any]) -> str:
    return ", ".join(_sql_literal(str(v)) for v in values)


def _literal(value: Any) -> str:
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"date {_sql_literal(text)}"
    return _sql_literal(text)


def _param(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params[value["$PARAMETER"]]
    return value


def _duplicated_rows(columns: list[str]) -> str:
    """Rows whose (non-null) key occurs more than once: every copy, as GX counts them.

    GX's unexpected rows for ``expect_column_values_to_be_unique`` and
    ``expect_compound_columns_to_be_unique`` are all rows of a repeated value (a value seen
    three times is three unexpected rows), not the surplus ``count(*) - count(distinct ...)``;
    rows with a null in any key column never count (GX's SQL joins the group counts back on
    equality, which null never satisfies)."""
    keys = ", ".join(columns)
    present = " and ".join(f"{c} is not null" for c in columns)
    return (
        f"(select coalesce(sum(n), 0) from (select count(*) as n from {BATCH_VIEW} "
        f"where {present} group by {keys} having count(*) > 1))"
    )


def suite_as_sql(jenis: str, params: dict[str, Any]) -> str:
    """One DuckDB statement computing, per expectation, what GX computes to decide it."""
    suite = load_suite(jenis)
    parts: list[str] = []
    for i, e in enumerate(suite["expectations"]):
        kw = {k: _param(v, params) for k, v in e["kwargs"].items()}
        kind, col = e["type"], kw.get("column")
        if kind == "expect_table_row_count_to_be_between":
            expr = "count(*)"
        elif kind == "expect_column_values_to_not_be_null":
            expr = f"count(*) filter (where {col} is null)"
        elif kind == "expect_column_values_to_be_in_set":
            expr = f"count(*) filter (where {col} not in ({_in_list(kw['value_set'])}))"
        elif kind == "expect_column_values_to_be_between":
            cond = []
            if kw.get("min_value") is not None:
                cond.append(f"{col} < {_literal(kw['min_value'])}")
            if kw.get("max_value") is not None:
                cond.append(f"{col} > {_literal(kw['max_value'])}")
            expr = f"count(*) filter (where {' or '.join(cond)})"
        elif kind == "expect_column_values_to_be_unique":
            expr = _duplicated_rows([col])
        elif kind == "expect_compound_columns_to_be_unique":
            expr = _duplicated_rows(kw["column_list"])
        elif kind == UNEXPECTED_ROWS:
            query = _substitute_sql(kw["unexpected_rows_query"], params)
            query = query.replace("{batch}", BATCH_VIEW).replace("{{", "{").replace("}}", "}")
            expr = f"(select count(*) from ({query}))"
        else:  # pragma: no cover - a new expectation type needs its SQL twin here
            raise ValueError(f"no SQL twin for {kind}")
        parts.append(f"{expr} as e{i}")
    return f"select {', '.join(parts)} from {BATCH_VIEW}"


def build_batch(n_rows: int, seed: int = 7) -> pl.DataFrame:
    """``n_rows`` pegawai rows in the raw schema (canonical + lineage), mostly valid."""
    from ingestion.load import raw_schema

    idx = pl.int_range(n_rows, dtype=pl.Int64, eager=True)
    # NIP = birth date . TMT (yyyymm) . 1 . serial; k = i // 999 maps one-to-one onto
    # (birth-date offset, TMT year, TMT month), so every NIP is unique.
    k = pl.col("i") // 999
    frame = pl.DataFrame({"i": idx}).with_columns(
        tanggal_lahir=pl.lit(dt.date(1968, 1, 1)) + pl.duration(days=k // 240),
        tmt=(pl.lit(2000) + (k // 12) % 20).cast(pl.String)
        + (k % 12 + 1).cast(pl.String).str.zfill(2),
    )
    frame = frame.with_columns(
        nip=pl.col("tanggal_lahir").dt.strftime("%Y%m%d")
        + pl.col("tmt")
        + pl.lit("1")
        + (pl.col("i") % 999 + 1).cast(pl.String).str.zfill(3)
    )
    schema = raw_schema("pegawai")
    values: dict[str, pl.Expr] = {
        "nama": pl.lit("Pegawai ") + pl.col("i").cast(pl.String),
        "jenis_kelamin": pl.lit("L"),
        "status_pegawai": pl.lit("PNS"),
        "kedudukan_hukum_id": pl.lit("01"),
        "tingkat_pendidikan_id": pl.lit("40"),
        "unor_nama": pl.lit("Dinas Pendidikan"),
        "jenis_jabatan_id": pl.lit("2"),
        "jabatan_nama": pl.lit("Guru Ahli Muda"),
        "golongan": pl.lit("III/c"),
        "tmt_jabatan": pl.lit(dt.date(2020, 1, 1)),
        "tmt_golongan": pl.lit(dt.date(2020, 4, 1)),
        "upload_id": pl.lit("bench"),
        "instansi_kode": pl.lit("64.72"),
        "periode": pl.lit("2025-12"),
        "source_file": pl.lit("bench/pegawai.csv"),
        "source_row": pl.col("i") + 2,
    }
    frame = frame.with_columns(**values)
    # planted problems: 0.1 % invalid golongan, a few wrong NIP shapes
    frame = frame.with_columns(
        golongan=pl.when(pl.col("i") % 1000 == 3).then(pl.lit("III/z")).otherwise("golongan"),
        nip=pl.when(pl.col("i") % 100_000 == 5).then(pl.lit("12345")).otherwise("nip"),
    )
    cols = [
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in schema.items()
    ]
    return frame.select(cols)


def _duckdb_run(parquet: Path, sql: str) -> tuple[float, tuple]:
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    try:
        con.execute("set enable_progress_bar = false")  # no bar on stdout (bench output is JSON)
        con.execute(
            f"create view {BATCH_VIEW} as select * from read_parquet({_sql_literal(str(parquet))})"
        )
        for name, csv_path in RULE_TABLES.items():
            con.execute(
                f"create table {name} as select * from "
                f"read_csv({_sql_literal(str(csv_path))}, header = true, all_varchar = true)"
            )
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    return time.perf_counter() - started, row


def _counts(validation: BatchValidation) -> list[int]:
    return [
        int(
            (o.observed_value if o.expectation_type.startswith("expect_table_row_count") else None)
            or o.unexpected_count
            or 0
        )
        for o in validation.results
    ]


def _gx_run(
    parquet: Path,
    today: dt.date,
    *,
    fresh: bool,
    parameters: dict | None = None,
    session: GXSession | None = None,
) -> tuple[float, BatchValidation]:
    """One validation: on a fresh session (set up and closed inside the time), on ``session``,
    or on the process's session."""
    started = time.perf_counter()
    own = GXSession() if fresh else None
    try:
        validation = validate_parquet(
            [parquet], "pegawai", today=today, parameters=parameters, session=own or session
        )
    finally:
        if own is not None:
            own.close()
    return time.perf_counter() - started, validation


def measure(n_rows: int = 1_000_000, *, repeat: int = 3, today: dt.date | None = None) -> dict:
    """Time the GX suite and its one-query DuckDB twin on the same ``n_rows`` batch."""
    today = today or dt.date(2025, 12, 15)
    params = default_parameters(load_suite("pegawai"), today)
    sql = suite_as_sql("pegawai", params)
    with tempfile.TemporaryDirectory(prefix="asn-gxbench-") as tmp:
        parquet = Path(tmp) / "bench.parquet"
        started = time.perf_counter()
        build_batch(n_rows).write_parquet(parquet, compression="lz4")
        build_s = time.perf_counter() - started
        _gx_run(parquet, today, fresh=False)  # warm-up: imports, the process's session
        _duckdb_run(parquet, sql)
        gx_times, warm_times, db_times = [], [], []
        cold: list[BatchValidation] = []
        warm: list[BatchValidation] = []
        row: tuple = ()
        for _ in range(repeat):
            elapsed, validation = _gx_run(parquet, today, fresh=True)
            gx_times.append(elapsed)
            cold.append(validation)
            elapsed, row = _duckdb_run(parquet, sql)
            db_times.append(elapsed)
            elapsed, validation = _gx_run(parquet, today, fresh=False)
            warm_times.append(elapsed)
            warm.append(validation)
    gx_counts = _counts(cold[-1])
    duckdb_counts = [int(c or 0) for c in row]
    gx_s, warm_s, db_s = min(gx_times), min(warm_times), min(db_times)
    return {
        "rows": n_rows,
        "expectations": len(cold[-1].results),
        "build_s": round(build_s, 3),
        "gx_s": round(gx_s, 3),
        "gx_warm_s": round(warm_s, 3),
        "duckdb_s": round(db_s, 3),
        "ratio": round(gx_s / db_s, 2),
        "ratio_warm": round(warm_s / db_s, 2),
        "gx_times": [round(t, 3) for t in gx_times],
        "gx_warm_times": [round(t, 3) for t in warm_times],
        "duckdb_times": [round(t, 3) for t in db_times],
        "counts_agree": all(_counts(v) == duckdb_counts for v in cold + warm),
        "gx_counts": gx_counts,
        "duckdb_counts": duckdb_counts,
        "failed": [o.key for o in cold[-1].failed],
    }


def measure_uploads(n_uploads: int = 100, rows: int = 200, *, today: dt.date | None = None) -> dict:
    """Per-upload GX cost on ``n_uploads`` small uploads (each with planted errors, so each is
    one the gate hands to GX): a fresh session per upload, a kept session with GX's shipped
    handling (no reuse), and the process's session."""
    today = today or dt.date(2025, 12, 15)
    shipped = GXSession(reuse=False)
    with tempfile.TemporaryDirectory(prefix="asn-gxuploads-") as tmp:
        files = []
        for i in range(n_uploads):
            files.append(Path(tmp) / f"upload_{i}.parquet")
            build_batch(rows, seed=i).write_parquet(files[-1], compression="lz4")
        _gx_run(files[0], today, fresh=False)  # warm-up: imports, the process's session
        _gx_run(files[0], today, fresh=False, session=shipped)
        fresh_s = shipped_s = session_s = 0.0
        agree = True
        try:
            for i, path in enumerate(files):
                # volume_min_rows differs per upload in the gate: the session reuses suites anyway
                params = {"volume_min_rows": i}
                elapsed, a = _gx_run(path, today, fresh=True, parameters=params)
                fresh_s += elapsed
                # the kept sessions take turns going first
                for which in [shipped, None] if i % 2 else [None, shipped]:
                    elapsed, b = _gx_run(path, today, fresh=False, parameters=params, session=which)
                    if which is shipped:
                        shipped_s += elapsed
                    else:
                        session_s += elapsed
                    agree = agree and _counts(a) == _counts(b) and a.failed == b.failed
        finally:
            shipped.close()
    return {
        "uploads": n_uploads,
        "rows_per_upload": rows,
        "fresh_session_s": round(fresh_s, 2),
        "shipped_gx_s": round(shipped_s, 2),
        "process_session_s": round(session_s, 2),
        "per_upload_fresh_s": round(fresh_s / n_uploads, 3),
        "per_upload_shipped_gx_s": round(shipped_s / n_uploads, 3),
        "per_upload_session_s": round(session_s / n_uploads, 3),
        "reused_vs_shipped": round(session_s / shipped_s, 3),
        "results_agree": agree,
    }


if __name__ == "__main__":  # python -m ingestion.quality.benchmark [N]
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "uploads":  # python -m ... uploads [N]
        print(json.dumps(measure_uploads(int(sys.argv[2]) if len(sys.argv) > 2 else 100), indent=2))
    else:
        print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
