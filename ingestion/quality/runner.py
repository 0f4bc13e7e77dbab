"""Great Expectations 1.x runner for one batch of raw rows, executed by DuckDB.

Suites are versioned JSON files (``suites/<jenis>.json``) so a rule change is a reviewed data
change. Each expectation carries ``meta.severity`` (``blocking`` or ``warning``) and
``meta.dimension`` (completeness, validity, uniqueness, consistency, volume, freshness).

The batch is a DuckDB view over the upload's Parquet file(s) next to the rule tables (dbt rule
seeds and ``quality/rules/*.csv``); GX reaches it through the ``asn_duckdb`` datasource (see
``gx_duckdb``), so no pandas copy of the batch is ever made. Aggregate metrics (null counts, set
and range violations) are bundled by GX into one query per domain; consistency rules are
``unexpected_rows_expectation`` SQL joined to the rule tables.

GX's fixed cost (context, datasource, suite objects, rule tables: most of a small upload's
validation) is paid once per process: a :class:`GXSession` keeps them, with the rule tables, in
a private in-memory DuckDB database, and each validation only points the ``batch`` view at the
next upload's files. ``validate_parquet`` uses the process's session unless given one. Within a
validation, GX builds each expectation's configuration and each metric id once instead of on
every use (``gx_reuse``): half of a small upload's validation time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingestion.quality.gx_reuse import reused_within_validation

SUITES_DIR = Path(__file__).resolve().parent / "suites"
RULES_DIR = Path(__file__).resolve().parent / "rules"
REPO_DIR = Path(__file__).resolve().parents[2]
DBT_SEEDS_DIR = REPO_DIR / "dbt" / "seeds"
SEVERITIES = ("blocking", "warning")
DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency", "volume", "freshness")
SAMPLE_SIZE = 5
BATCH_VIEW = "batch"
UNEXPECTED_ROWS = "expect_no_unexpected_rows"  # gx_duckdb.ExpectNoUnexpectedRows
# What GX returns per expectation: counts plus a partial list of unexpected values (no COMPLETE
# lists of every offending value, no rendered SQL of the unexpected-rows query: neither is kept).
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": SAMPLE_SIZE,
    "return_unexpected_index_query": False,
}

# Tables created next to the batch view, by name -> CSV (all columns read as text).
RULE_TABLES: dict[str, Path] = {
    "code_eselon": DBT_SEEDS_DIR / "codes" / "code_eselon.csv",
    "code_tingkat_pendidikan": DBT_SEEDS_DIR / "codes" / "code_tingkat_pendidikan.csv",
    "code_golongan_pns": DBT_SEEDS_DIR / "codes" / "code_golongan_pns.csv",
    "code_jenis_hukuman": DBT_SEEDS_DIR / "codes" / "code_jenis_hukuman.csv",
    "ref_bup": DBT_SEEDS_DIR / "rules" / "ref_bup.csv",
    "ref_eselon_family": DBT_SEEDS_DIR / "rules" / "ref_eselon_family.csv",
    "ref_jenis_jabatan_family": DBT_SEEDS_DIR / "rules" / "ref_jenis_jabatan_family.csv",
    "ref_jf_jenjang_keyword": DBT_SEEDS_DIR / "rules" / "ref_jf_jenjang_keyword.csv",
    "ref_position_family": DBT_SEEDS_DIR / "rules" / "ref_position_family.csv",
    "rule_golongan_pendidikan": RULES_DIR / "golongan_pendidikan.csv",
}
# Lineage columns a bare frame may lack (validate_batch on an in-memory frame).
LINEAGE_DEFAULTS = {"upload_id": pl.String, "instansi_kode": pl.String, "periode": pl.String}


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    success: bool
    severity: str
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_sample: list[Any] = field(default_factory=list)
    description: str | None = None
    error: str | None = None
    order: int = 0  # position in the suite file
    key: str = ""  # stable id inside the suite (meta.key)
    dimension: str | None = None
    element_count: int | None = None


@dataclass(slots=True)
class BatchValidation:
    jenis: str
    suite_version: str
    success: bool  # every expectation passed
    blocking_success: bool  # every `blocking` expectation passed
    results: list[ExpectationOutcome]
    suite_name: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    run_at: dt.datetime | None = None
    gx_result: Any = None  # the ExpectationSuiteValidationResult (for Data Docs); not stored

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("gx_result", None)
        return out

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    @property
    def failed_blocking(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success and r.severity == "blocking"]


@cache
def load_suite(jenis: str) -> dict[str, Any]:
    path = SUITES_DIR / f"{jenis}.json"
    if not path.exists():
        raise ValueError(f"no expectation suite for jenis {jenis!r} ({path})")
    suite = json.loads(path.read_text(encoding="utf-8"))
    keys: set[str] = set()
    for i, exp in enumerate(suite["expectations"]):
        meta = exp.get("meta", {})
        if meta.get("severity") not in SEVERITIES:
            raise ValueError(f"{path.name}: {exp['type']} needs meta.severity in {SEVERITIES}")
        if meta.get("dimension") not in DIMENSIONS:
            raise ValueError(f"{path.name}: {exp['type']} needs meta.dimension in {DIMENSIONS}")
        key = meta.get("key") or f"{i}"
        if key in keys:
            raise ValueError(f"{path.name}: duplicate meta.key {key!r}")
        keys.add(key)
    return suite


def previous_periode(periode: str) -> str:
    year, month = int(periode[:4]), int(periode[5:7])
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def default_parameters(
    suite: dict[str, Any], today: dt.date, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Suite parameters with run-time values.

    ``$today``; ``periode_berjalan`` (freshness: the current periode or the one before, as
    uploads for a month arrive early in the next); ``volume_min_rows`` (volume: 0 unless the
    gate knows the office's previous upload)."""
    params: dict[str, Any] = {}
    for key, value in suite.get("parameters", {}).items():
        if value == "$today":
            value = today.isoformat()
        elif value == "$year":
            value = today.year
        params[key] = value
    current = today.strftime("%Y-%m")
    params.setdefault("periode_berjalan", [previous_periode(current), current])
    params.setdefault("volume_min_rows", 0)
    params.update(overrides or {})
    return params


def _gx_parameter(value: Any) -> Any:
    """ISO dates become dates (GX compares date columns with dates), the rest stays."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.date.fromisoformat(value)
    return value


def _substitute_sql(query: str, params: dict[str, Any]) -> str:
    """``$name`` tokens in SQL queries (longest names first); values are config, not user data."""
    for name in sorted(params, key=len, reverse=True):
        value = params[name]
        query = query.replace(f"${name}", str(value).replace("'", "''"))
    return query


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rule_table_sql() -> list[str]:
    """Statements (re)creating the rule tables, every column as text."""
    return [
        f"create or replace table {name} as select * from "
        f"read_csv({_sql_literal(str(csv_path))}, header = true, all_varchar = true)"
        for name, csv_path in RULE_TABLES.items()
    ]


def build_validation_db(db_path: Path, files: Sequence[Path]) -> None:
    """A DuckDB file with the ``batch`` view over the Parquet files plus the rule tables."""
    listing = ", ".join(_sql_literal(str(f)) for f in files)
    con = duckdb.connect(str(db_path))
    try:
        con.execute(
            f"create or replace view {BATCH_VIEW} as "
            f"select * from read_parquet([{listing}], union_by_name = true)"
        )
        for statement in rule_table_sql():
            con.execute(statement)
    finally:
        con.close()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _expectations(suite_def: dict[str, Any], params: dict[str, Any]):
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    out = []
    for i, e in enumerate(suite_def["expectations"]):
        kwargs = dict(e["kwargs"])
        if e["type"] == UNEXPECTED_ROWS:
            kwargs["unexpected_rows_query"] = _substitute_sql(
                kwargs["unexpected_rows_query"], params
            )
        else:
            kwargs.setdefault("result_format", dict(RESULT_FORMAT))
        meta = {**e.get("meta", {}), "order": i}
        meta.setdefault("key", str(i))
        out.append(ExpectationConfiguration(type=e["type"], kwargs=kwargs, meta=meta))
    return out


def _outcome(r: Any) -> ExpectationOutcome:
    config = r.expectation_config
    meta = config.meta or {}
    result = dict(r.result or {})
    error = None
    info = r.exception_info or {}
    if info.get("raised_exception"):
        error = info.get("exception_message")
    else:
        for sub in info.values():
            if isinstance(sub, dict) and sub.get("raised_exception"):
                error = sub.get("exception_message")
                break
    if config.type == UNEXPECTED_ROWS:
        observed = result.get("observed_value")
        unexpected_count = observed if isinstance(observed, int) else None
        rows = (result.get("details") or {}).get("unexpected_rows") or []
        sample = [_jsonable(dict(row)) for row in rows[:SAMPLE_SIZE]]
    else:
        observed = result.get("observed_value")
        unexpected_count = result.get("unexpected_count")
        sample = [_jsonable(v) for v in result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]]
    column = config.kwargs.get("column") or config.kwargs.get("column_list") or meta.get("column")
    return ExpectationOutcome(
        expectation_type=config.type,
        column=",".join(column) if isinstance(column, list) else column,
        success=bool(r.success) and error is None,
        severity=meta.get("severity", "blocking"),
        observed_value=_jsonable(observed),
        unexpected_count=unexpected_count,
        unexpected_sample=sample,
        description=meta.get("description"),
        error=error,
        order=int(meta.get("order", 0)),
        key=str(meta.get("key", "")),
        dimension=meta.get("dimension"),
        element_count=result.get("element_count"),
    )


class GXSession:
    """A GX context, ``asn_duckdb`` datasource, table asset and suites kept for many validations.

    The datasource's database is a private, named in-memory DuckDB database holding the rule
    tables (loaded once, reloaded when a rule file changes) and the ``batch`` view, which each
    validation re-points at the files it checks. The execution engine forgets its metric cache
    when a batch is loaded (``gx_duckdb``), so nothing carries over between validations but
    the set-up. One validation at a time (a lock); not shared across processes.
    """

    def __init__(self, *, reuse: bool | None = None) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from ingestion.quality.gx_duckdb import DuckDBDatasource, ExpectNoUnexpectedRows

        assert ExpectNoUnexpectedRows  # registered with GX on import
        self.pid = os.getpid()
        self.lock = threading.Lock()
        if reuse is None:  # on unless ASN_GX_REUSE=0
            reuse = os.environ.get("ASN_GX_REUSE", "1") != "0"
        self.reuse = reuse  # see gx_reuse
        self._suites: dict[str, Any] = {}
        self._rules_signature: tuple | None = None
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        database = f":memory:asn_gx_{uuid.uuid4().hex}"
        self.datasource: DuckDBDatasource = self.context.data_sources.add_asn_duckdb(  # type: ignore[attr-defined]
            "asn", connection_string=f"duckdb:///{database}"
        )
        try:
            # no DuckDB progress bar on stdout for long queries (bench output is JSON)
            self._execute("set enable_progress_bar = false", self._empty_batch_sql())
            self.batch_definition = self.datasource.add_table_asset(
                BATCH_VIEW, table_name=BATCH_VIEW
            ).add_batch_definition_whole_table(BATCH_VIEW)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _empty_batch_sql() -> str:
        return f"create or replace view {BATCH_VIEW} as select null as placeholder where false"

    def _execute(self, *statements: str) -> None:
        """DDL on the execution engine's persisted connection, committed (the inspector reads
        the catalog through another connection to the same database)."""
        engine = self.datasource.get_execution_engine()
        with engine.get_connection() as con:
            con.rollback()  # end the previous validation's read transaction, aborted or not
            for statement in statements:
                con.exec_driver_sql(statement)
            con.commit()

    def _load_rules(self) -> None:
        signature = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in RULE_TABLES.values())
        if signature != self._rules_signature:
            self._execute(*rule_table_sql())
            self._rules_signature = signature

    def suite(self, suite_def: dict[str, Any], params: dict[str, Any]):
        """The ExpectationSuite for a suite definition with its SQL parameters substituted
        (built once per distinct definition; run-time values come as expectation parameters)."""
        import great_expectations as gx

        configs = _expectations(suite_def, params)
        key = json.dumps(
            [suite_def.get("name"), suite_def.get("version")]
            + [[c.type, c.kwargs, c.meta] for c in configs],
            sort_keys=True,
            default=str,
        )
        suite = self._suites.get(key)
        if suite is None:
            suite = gx.ExpectationSuite(
                name=str(suite_def.get("name", "suite")),
                expectations=[c.to_domain_obj() for c in configs],
                meta={"version": str(suite_def.get("version", ""))},
            )
            self._suites[key] = suite
        return suite

    def validate(self, files: Sequence[Path], suite_def: dict[str, Any], params: dict[str, Any]):
        """Run the suite on the rows of ``files``; the ExpectationSuiteValidationResult."""
        from great_expectations.validator.v1_validator import Validator

        suite = self.suite(suite_def, params)
        listing = ", ".join(_sql_literal(str(f)) for f in files)
        with self.lock:
            self._load_rules()
            self._execute(
                f"create or replace view {BATCH_VIEW} as "
                f"select * from read_parquet([{listing}], union_by_name = true)"
            )
            try:
                validator = Validator(
                    batch_definition=self.batch_definition, result_format=RESULT_FORMAT
                )
                with reused_within_validation(self.reuse):
                    return validator.validate_expectation_suite(
                        suite,
                        expectation_parameters={k: _gx_parameter(v) for k, v in params.items()},
                    )
            finally:
                self._execute(self._empty_batch_sql())  # no view left over deleted files

    def close(self) -> None:
        self.datasource.dispose()


_SESSION: GXSession | None = None
_SESSION_LOCK = threading.Lock()
_INHERITED: list[GXSession] = []  # a forked child never touches its parent's connections


def gx_session() -> GXSession:
    """The process's GX session (created on first use)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is not None and _SESSION.pid != os.getpid():
            _INHERITED.append(_SESSION)
            _SESSION = None
        if _SESSION is None:
            _SESSION = GXSession()
        return _SESSION


def close_gx_session() -> None:
    """Release the process's GX session (its in-memory database); the next use makes a new one."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is not None and _SESSION.pid == os.getpid():
            _SESSION.close()
        _SESSION = None


def validate_parquet(
    files: Iterable[str | Path],
    jenis: str,
    *,
    today: dt.date | None = None,
    parameters: dict[str, Any] | None = None,
    session: GXSession | None = None,
) -> BatchValidation:
    """Run the suite of ``jenis`` on the rows of the given raw Parquet file(s)."""
    suite_def = load_suite(jenis)
    today = today or dt.date.today()
    params = default_parameters(suite_def, today, parameters)
    files = [Path(f).resolve() for f in files]
    run_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run = (session or gx_session()).validate(files, suite_def, params)
    outcomes = sorted((_outcome(r) for r in run.results), key=lambda o: o.order)
    return BatchValidation(
        jenis=jenis,
        suite_version=str(suite_def.get("version", "")),
        success=all(o.success for o in outcomes),
        blocking_success=all(o.success for o in outcomes if o.severity == "blocking"),
        results=outcomes,
        suite_name=str(suite_def.get("name", jenis)),
        parameters=params,
        run_at=run_at,
        gx_result=run,
    )


def with_lineage(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the lineage columns a bare frame lacks (source_row counts from 1)."""
    extra = [pl.lit(None, dtype=t).alias(c) for c, t in LINEAGE_DEFAULTS.items() if c not in frame]
    if "source_row" not in frame.columns:
        extra.append((pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("source_row"))
    return frame.with_columns(extra) if extra else frame


def validate_batch(
    frame: pl.DataFrame,
    jenis: str,
    *,
    today: dt.date | None = None,
    parameters: dict[str, Any] | None = None,
) -> BatchValidation:
    """Run the suite of ``jenis`` on one in-memory batch (a polars frame of canonical columns).

    The frame is written once to a temporary Parquet file and validated like an upload.
    """
    with tempfile.TemporaryDirectory(prefix="asn-batch-") as tmp:
        path = Path(tmp) / "batch.parquet"
        with_lineage(frame).write_parquet(path, compression="lz4")
        return validate_parquet([path], jenis, today=today, parameters=parameters)
