"""Great Expectations Data Docs for the upload gate, plus the ``published/docs`` landing page.

``build_data_docs()`` renders the GX 1.x Data Docs site into ``<ASN_DATA_DIR>/published/docs/gx/``
from an ephemeral context whose only site is a ``SiteBuilder`` on a filesystem store backend:

- **expectation suites**: every ``suites/<jenis>.json`` (the versioned files the gate runs);
- **validation results**, from one of two sources:

  * ``results=`` given (in the process that validated): the ``BatchValidation`` /
    ``UploadCheck`` objects of the run; their kept ``gx_result`` is rendered as GX produced it;
  * otherwise (``make docs``, a later Dagster step, any other process): the latest check run of
    every upload that is current or blocked, read from ``audit.check_runs`` /
    ``audit.check_results`` and rebuilt as GX validation results (expectation configuration from
    the suite file with the run's stored parameters, observed value, unexpected count and sample
    from the stored row). Nothing is re-validated: reading the audit tables takes milliseconds
    and the warehouse is held only for that read, where re-validating 2,000 uploads would cost
    GX seconds each.

The site is built in a sibling temporary folder and swapped in at the end, so a server on
``published/docs`` never shows a half-written site. ``write_landing_page()`` writes
``published/docs/index.html`` linking the GX site and the dbt docs (``published/docs/dbt/``,
built by ``dbt docs generate --target-path``).

Command line: ``python -m ingestion.quality.docs`` (``--limit N``) prints the index path.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ingestion.paths import DataPaths
from ingestion.quality.runner import (
    SUITES_DIR,
    UNEXPECTED_ROWS,
    BatchValidation,
    ExpectationOutcome,
    _expectations,
    default_parameters,
    load_suite,
)

SITE_NAME = "asn"
GX_DIR = "gx"
DBT_DIR = "dbt"
#: Validation pages rendered at most (blocked and warned runs first, then the newest). GX renders
#: about 70 ms per page on this machine: 500 pages take ~35 s, all 2,000 current uploads ~2.5 min.
DEFAULT_LIMIT = 500


def docs_dir(paths: DataPaths) -> Path:
    return paths.published / "docs"


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


# --------------------------------------------------------------------------------------------
# Validation results: from the run's objects or rebuilt from the audit tables
# --------------------------------------------------------------------------------------------


def _substitute(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        return params.get(value["$PARAMETER"])
    return value


def _configs(jenis: str, params: dict[str, Any]) -> dict[str, Any]:
    """ExpectationConfiguration by meta.key as the gate ran them (SQL and $PARAMETERs filled)."""
    out = {}
    for config in _expectations(load_suite(jenis), params):
        config.kwargs = {k: _substitute(v, params) for k, v in config.kwargs.items()}
        out[str(config.meta["key"])] = config
    return out


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _result_dict(o: ExpectationOutcome, element_count: int | None) -> dict[str, Any]:
    if o.expectation_type == UNEXPECTED_ROWS:
        rows = [r for r in o.unexpected_sample if isinstance(r, dict)]
        return {"observed_value": o.observed_value, "details": {"unexpected_rows": rows}}
    result: dict[str, Any] = {}
    if o.observed_value is not None:
        result["observed_value"] = o.observed_value
    if o.unexpected_count is not None:
        count = int(o.unexpected_count)
        total = o.element_count if o.element_count is not None else element_count
        result |= {"unexpected_count": count, "partial_unexpected_list": o.unexpected_sample}
        if total:
            result["element_count"] = int(total)
            result["unexpected_percent"] = min(100.0, 100.0 * count / total)
            result["unexpected_percent_nonmissing"] = result["unexpected_percent"]
    return result


def _suite_result(
    *,
    jenis: str,
    suite_name: str,
    suite_version: str,
    outcomes: list[ExpectationOutcome],
    params: dict[str, Any],
    run_at: dt.datetime,
    label: dict[str, Any],
    element_count: int | None = None,
):
    """An ``ExpectationSuiteValidationResult`` equivalent to the one GX produced for the run."""
    import great_expectations as gx
    from great_expectations.core import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    configs = _configs(jenis, params)
    results = []
    for o in sorted(outcomes, key=lambda x: x.order):
        config = configs.get(o.key)
        if config is None or config.type != o.expectation_type:  # key of an older suite version
            kwargs = {"column": o.column} if o.column and "," not in o.column else {}
            config = ExpectationConfiguration(type=o.expectation_type, kwargs=kwargs, meta={})
        meta = {**(config.meta or {}), "severity": o.severity, "key": o.key}
        config = ExpectationConfiguration(type=config.type, kwargs=config.kwargs, meta=meta)
        error = {"raised_exception": bool(o.error), "exception_message": o.error}
        results.append(
            ExpectationValidationResult(
                success=o.success,
                expectation_config=config,
                result=_result_dict(o, element_count),
                exception_info=error if o.error else None,
            )
        )
    passed = sum(1 for r in results if r.success)
    run_time = run_at.replace(tzinfo=dt.UTC) if run_at.tzinfo is None else run_at
    return ExpectationSuiteValidationResult(
        success=passed == len(results),
        results=results,
        suite_name=suite_name,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100.0 * passed / len(results) if results else None,
        },
        meta={
            "great_expectations_version": gx.__version__,
            "run_id": RunIdentifier(run_name=label.get("run_name"), run_time=run_time),
            "validation_time": run_time,
            "batch_spec": label,
            "suite_version": suite_version,
            "active_batch_definition": {"data_asset_name": label.get("data_asset_name")},
        },
    )


def _label(
    jenis: str, upload_id: str, instansi: str | None, periode: str | None, decision: str | None
) -> dict[str, Any]:
    """How a validation is named on the site: asset ``pegawai 64.72 2025-12``, run name the
    periode and instansi, batch the upload id."""
    return {
        "data_asset_name": " ".join(x for x in (jenis, instansi, periode) if x),
        "run_name": f"{periode or '-'}_{instansi or '-'}",
        "upload_id": upload_id,
        "instansi_kode": instansi,
        "periode": periode,
        "decision": decision,
    }


def stored_results(con: duckdb.DuckDBPyConnection, limit: int = DEFAULT_LIMIT) -> list[tuple]:
    """``(suite_name, upload_id, result)`` for the latest check run of every upload that is
    current or blocked, rebuilt from the audit tables: at most ``limit``, blocked and warned
    runs first, then the newest."""
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'audit'"
        ).fetchall()
    }
    if not {"check_runs", "check_results", "uploads"} <= tables:
        return []
    cur = con.execute(
        "with latest as (select r.*, row_number() over (partition by r.upload_id "
        "  order by r.run_at desc, r.run_id desc) as n from audit.check_runs as r) "
        "select l.run_id, l.upload_id, l.jenis, l.instansi_kode, l.periode, l.suite_name, "
        "  l.suite_version, l.run_at, l.rows_checked, l.decision, l.parameters "
        "from latest as l inner join audit.uploads as u on u.upload_id = l.upload_id "
        "where l.n = 1 and (u.is_current or u.status = 'blocked') "
        "order by l.decision = 'passed', l.run_at desc, l.upload_id limit ?",
        [limit],
    )
    names = [d[0] for d in cur.description]
    runs = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    if not runs:
        return []
    by_run: dict[str, list[ExpectationOutcome]] = {r["run_id"]: [] for r in runs}
    con.execute("create or replace temp table _docs_runs (run_id varchar)")
    con.executemany("insert into _docs_runs values (?)", [[r] for r in by_run])
    rows = con.execute(
        "select c.run_id, c.expectation_key, c.expectation_type, c.dimension, c.column_name, "
        "  c.description, c.severity, c.success, c.observed_value, c.unexpected_count, "
        "  c.unexpected_sample, c.error "
        "from audit.check_results as c inner join _docs_runs using (run_id)"
    ).fetchall()
    con.execute("drop table _docs_runs")
    for run_id, key, etype, dim, column, desc, sev, ok, obs, count, sample, error in rows:
        by_run[run_id].append(
            ExpectationOutcome(
                expectation_type=etype,
                column=column,
                success=bool(ok),
                severity=sev,
                observed_value=_loads(obs),
                unexpected_count=count,
                unexpected_sample=_loads(sample) or [],
                description=desc,
                error=error,
                key=key,
                dimension=dim,
            )
        )
    out = []
    for run in runs:
        jenis = run["jenis"]
        if not (SUITES_DIR / f"{jenis}.json").exists():
            continue
        order = {
            str(c["meta"].get("key", i)): i for i, c in enumerate(load_suite(jenis)["expectations"])
        }
        outcomes = [_with_order(o, order) for o in by_run[run["run_id"]]]
        params = _loads(run["parameters"]) or {}
        if not isinstance(params, dict):
            params = {}
        label = _label(
            jenis, run["upload_id"], run["instansi_kode"], run["periode"], run["decision"]
        )
        result = _suite_result(
            jenis=jenis,
            suite_name=run["suite_name"],
            suite_version=run["suite_version"],
            outcomes=outcomes,
            params=params,
            run_at=run["run_at"],
            label=label,
            element_count=run["rows_checked"],
        )
        out.append((run["suite_name"], run["upload_id"], result))
    return out


def _with_order(o: ExpectationOutcome, order: dict[str, int]) -> ExpectationOutcome:
    from dataclasses import replace

    return replace(o, order=order.get(o.key, len(order)))


def _run_results(results: Iterable[Any]) -> list[tuple]:
    """``(suite_name, batch_identifier, result)`` from objects of this process: ``UploadCheck``
    (has ``upload_id`` and ``validation``), ``BatchValidation`` or a GX suite result."""
    from great_expectations.core import ExpectationSuiteValidationResult

    out = []
    for i, item in enumerate(results):
        upload_id = getattr(item, "upload_id", None)
        validation = getattr(item, "validation", item)
        if validation is None:
            continue  # a skipped upload (refused: no rows)
        if isinstance(validation, ExpectationSuiteValidationResult):
            out.append((validation.suite_name, upload_id or f"batch-{i}", validation))
            continue
        if not isinstance(validation, BatchValidation):
            raise TypeError(f"cannot render {type(item).__name__} as a validation result")
        batch = upload_id or f"batch-{i}"
        label = _label(
            validation.jenis,
            batch,
            getattr(item, "instansi_kode", None),
            getattr(item, "periode", None),
            getattr(item, "decision", None),
        )
        gx_result = validation.gx_result
        if gx_result is not None:
            run_id = gx_result.meta.get("run_id")
            run_time = getattr(run_id, "run_time", None) or validation.run_at
            result = ExpectationSuiteValidationResult(
                success=gx_result.success,
                results=gx_result.results,
                suite_name=gx_result.suite_name,
                suite_parameters=gx_result.suite_parameters,
                statistics=gx_result.statistics,
                meta={**gx_result.meta, "batch_spec": label},
                batch_id=gx_result.batch_id,
            )
            result.meta["run_id"] = _run_identifier(label["run_name"], run_time)
        else:
            result = _suite_result(
                jenis=validation.jenis,
                suite_name=validation.suite_name or validation.jenis,
                suite_version=validation.suite_version,
                outcomes=validation.results,
                params=validation.parameters,
                run_at=validation.run_at or dt.datetime.now(dt.UTC),
                label=label,
            )
        out.append((result.suite_name, batch, result))
    return out


def _run_identifier(run_name: str, run_time: Any):
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_name, run_time=run_time)


# --------------------------------------------------------------------------------------------
# Site
# --------------------------------------------------------------------------------------------


def _site_config(base_directory: Path, limit: int) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(base_directory),
        },
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "validation_results_limit": limit,
        },
    }


def _render_site(target: Path, validations: list[tuple], limit: int) -> None:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from ingestion.quality.gx_duckdb import ExpectNoUnexpectedRows

    assert ExpectNoUnexpectedRows  # registers expect_no_unexpected_rows with GX

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # Only our site: the ephemeral context's default one writes into a temporary folder.
    context.variables.data_docs_sites = {SITE_NAME: _site_config(target, limit)}
    today = dt.date.today()
    for jenis in suite_names():
        suite_def = load_suite(jenis)
        params = default_parameters(suite_def, today)
        expectations = []
        for config in _expectations(suite_def, params):
            # $PARAMETERs stay symbolic on the suite page; SQL shows today's values.
            expectations.append(config.to_domain_obj())
        context.suites.add(
            gx.ExpectationSuite(
                name=str(suite_def.get("name", jenis)),
                expectations=expectations,
                meta={
                    "version": str(suite_def.get("version", "")),
                    "notes": str(suite_def.get("description", "")),
                },
            )
        )
    store = context.validation_results_store
    for suite_name, batch_identifier, result in validations:
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=result.meta["run_id"],
            batch_identifier=str(batch_identifier),
        )
        store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])


@contextmanager
def _warehouse(paths: DataPaths) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """Read-only warehouse connection under the cross-process warehouse lock (if installed)."""
    if not paths.warehouse.exists():
        yield None
        return
    try:
        from dagster_project.locks import warehouse_write_lock
    except ImportError:  # the ingestion library alone: no lock to share
        lock = None
    else:
        lock = warehouse_write_lock(paths.warehouse)
    if lock is None:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()
        return
    with lock:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()


def _swap_in(built: Path, target: Path) -> None:
    """Replace ``target`` with ``built`` (two renames; the old site is removed after)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build_data_docs(
    paths: DataPaths | None = None,
    results: Iterable[Any] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Path:
    """Build the GX Data Docs site into ``published/docs/gx/`` and return its ``index.html``.

    ``results``: the run's ``UploadCheck`` / ``BatchValidation`` objects (rendered from their
    GX results); when omitted, the latest check run of every current or blocked upload is read
    from the audit tables (through ``con`` if given, else a read-only connection taken under
    the warehouse lock). Also writes the ``published/docs/index.html`` landing page.
    """
    paths = paths or DataPaths.from_env()
    if results is not None:
        validations = _run_results(results)
    elif con is not None:
        validations = stored_results(con, limit)
    else:
        with _warehouse(paths) as wh:
            validations = [] if wh is None else stored_results(wh, limit)
    root = docs_dir(paths)
    root.mkdir(parents=True, exist_ok=True)
    target = root / GX_DIR
    built = Path(tempfile.mkdtemp(prefix=f".{GX_DIR}.build-", dir=root))
    try:
        _render_site(built, validations[:limit], limit)
        built.chmod(0o755)
        _swap_in(built, target)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    write_landing_page(paths)
    return target / "index.html"


# --------------------------------------------------------------------------------------------
# Landing page
# --------------------------------------------------------------------------------------------

_LANDING = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Dokumentasi data ASN</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem;
  color: #1f2933; }}
a {{ color: #0b5cad; }} li {{ margin: .8rem 0; }} .muted {{ color: #66788a; font-size: .9rem; }}
</style>
</head>
<body>
<h1>Dokumentasi data ASN</h1>
<ul>
<li><a href="{gx}/index.html">Great Expectations Data Docs</a>: suite ekspektasi per jenis
 data dan hasil validasi unggahan terbaru {gx_note}</li>
<li><a href="{dbt}/index.html">dbt docs</a>: model gudang data (staging, core, marts), lineage
 dan tes {dbt_note}</li>
</ul>
<p class="muted">Dibangun {built} UTC oleh <code>make docs</code>.</p>
</body>
</html>
"""


def write_landing_page(paths: DataPaths | None = None) -> Path:
    """``published/docs/index.html`` linking the GX site and the dbt docs."""
    paths = paths or DataPaths.from_env()
    root = docs_dir(paths)
    root.mkdir(parents=True, exist_ok=True)

    def note(folder: str) -> str:
        return "" if (root / folder / "index.html").exists() else "(belum dibangun)"

    page = _LANDING.format(
        gx=GX_DIR,
        dbt=DBT_DIR,
        gx_note=html.escape(note(GX_DIR)),
        dbt_note=html.escape(note(DBT_DIR)),
        built=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    )
    out = root / "index.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="validation pages")
    parser.add_argument(
        "--landing-only", action="store_true", help="only (re)write published/docs/index.html"
    )
    args = parser.parse_args(argv)
    if args.landing_only:
        print(write_landing_page())
        return 0
    print(build_data_docs(limit=args.limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
