"""`asn`: the command line of the ASN data platform.

Heavy imports (Dagster definitions, dbt, GX) happen inside the commands, so `asn --help` is
instant and the dbt manifest can be prepared before the definitions load.
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dagster_project.project import data_dir, export_environment
from ingestion.portal.cli import mount as mount_portal

app = typer.Typer(
    help="ASN data platform: generate, ingest, check and model civil-service extracts.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
# `asn portal` (the upload portal server) and `asn portal-token` (office credentials).
mount_portal(app)


def previous_periode(today: date | None = None) -> str:
    """The last complete month: what offices upload now (snapshot = its last day)."""
    first_of_month = (today or date.today()).replace(day=1)
    return f"{first_of_month - timedelta(days=1):%Y-%m}"


JenisOption = Annotated[
    str | None,
    typer.Option("--jenis", help="Extract type: pegawai, diklat, skp or hukdis (default: detect)."),
]


@app.command()
def generate(
    out: Annotated[
        Path | None, typer.Option(help="Landing directory (default: $ASN_DATA_DIR/landing).")
    ] = None,
    pegawai: Annotated[int, typer.Option(help="Number of employees nationwide.", min=1)] = 50_000,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed writes the same files.")
    ] = 42,
    periode: Annotated[
        str | None, typer.Option(help="Snapshot periode YYYY-MM (default: last month).")
    ] = None,
    messy: Annotated[
        float, typer.Option(help="Share of rows with a planted error.", min=0, max=1)
    ] = 0.0,
) -> None:
    """Write a synthetic national sample in the landing layout, one file per instansi and type."""
    from ingestion.synthetic import generate as generate_sample

    export_environment()
    target = out or data_dir() / "landing"
    periode = periode or previous_periode()
    started = time.perf_counter()
    summary = generate_sample(
        target, pegawai=pegawai, seed=seed, periode=periode, messy=messy, progress=True
    )
    console.print(f"Wrote {summary} to {target} in {time.perf_counter() - started:.1f} s")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The uploaded file.")],
    instansi: Annotated[str, typer.Option(help="Instansi code, e.g. 64.72 or K001.")],
    periode: Annotated[str, typer.Option(help="Periode YYYY-MM.")],
    jenis: JenisOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ingest one file now (outside Dagster) and print its verdict.

    Exit 0 when the file was taken (even with refused rows) or is a duplicate; 2 when refused.
    """
    from ingestion.paths import DataPaths
    from ingestion.pipeline import ingest_file

    export_environment()
    result = ingest_file(
        file, instansi_kode=instansi, periode=periode, jenis=jenis, paths=DataPaths.from_env()
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        _print_ingest_result(result)
    raise typer.Exit(code=2 if result.status == "refused" else 0)


@app.command("postgres-sources")
def postgres_sources(
    dsn: Annotated[
        str,
        typer.Option(help="libpq connection string (default: the PG* environment variables)."),
    ] = "",
) -> None:
    """Copy the dbt sources (raw.*, audit.*) from the warehouse into PostgreSQL.

    Then the same dbt project runs there: cd dbt && DBT_TARGET=postgres dbt build --profiles-dir .
    One transaction: PostgreSQL keeps its previous copy if anything fails.
    """
    from dagster_project.locks import warehouse_write_lock
    from ingestion.paths import DataPaths
    from ingestion.postgres_sources import SourceCopyError, copy_sources

    export_environment()
    paths = DataPaths.from_env()
    if not paths.warehouse.exists():
        console.print(f"[red]no warehouse at {paths.warehouse}: ingest or run the demo first[/red]")
        raise typer.Exit(code=2)
    try:
        with warehouse_write_lock(paths.warehouse):  # no load half-way through the copy
            copied = copy_sources(paths.warehouse, dsn)
    except SourceCopyError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(code=2) from None
    for table in copied:
        console.print(f"{table.schema}.{table.table}: {table.rows} rows")


def _print_ingest_result(result) -> None:
    console.print(
        f"[bold]{result.status}[/bold] {result.jenis or '?'} upload {result.upload_id}: "
        f"{result.rows_read} read, {result.rows_accepted} accepted, {result.rows_rejected} refused"
    )
    if result.error:
        console.print(f"[red]{result.error}[/red]")
    for rejection in result.rejections[:20]:
        console.print(f"  baris {rejection.row} kolom {rejection.column}: {rejection.message}")
    total = getattr(result, "rejections_total", len(result.rejections))
    if total > 20:
        console.print(f"  ... dan {total - 20} lainnya (lihat audit.rejections)")


def _execute_job(job_name: str) -> bool:
    from dagster import DagsterInstance

    from dagster_project.runner import execute_job

    export_environment()
    with DagsterInstance.get() as instance:
        result = execute_job(job_name, instance)
    return result.success


@app.command()
def build() -> None:
    """Build the dbt models (seeds, staging, core, marts) through Dagster."""
    ok = _execute_job("asn_build")
    _print_summary()
    raise typer.Exit(code=0 if ok else 1)


@app.command()
def run() -> None:
    """Run the whole job over the landing area through Dagster: ingest, check, build."""
    ok = _execute_job("asn_pipeline")
    _print_summary()
    raise typer.Exit(code=0 if ok else 1)


@app.command()
def demo(
    pegawai: Annotated[int, typer.Option(help="Employees in the national sample.", min=1)] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    periode: Annotated[
        str | None, typer.Option(help="Snapshot periode YYYY-MM (default: last month).")
    ] = None,
    messy: Annotated[float, typer.Option(help="Share of rows with a planted error.")] = 0.01,
) -> None:
    """Generate a national sample (once), run the whole pipeline, print a summary."""
    from ingestion.synthetic import generate as generate_sample

    root = export_environment()
    landing = root / "landing"
    periode = periode or previous_periode()
    marker = landing / "_generator" / "demo.json"
    wanted = {"pegawai": pegawai, "seed": seed, "periode": periode, "messy": messy}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        console.print(f"Sample already in {landing} ({pegawai:,} pegawai, seed {seed}).")
    else:
        started = time.perf_counter()
        generate_sample(
            landing, pegawai=pegawai, seed=seed, periode=periode, messy=messy, progress=True
        )
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(wanted))
        console.print(f"Generated {pegawai:,} pegawai in {time.perf_counter() - started:.1f} s.")
    started = time.perf_counter()
    ok = _execute_job("asn_pipeline")
    console.print(
        f"Pipeline {'succeeded' if ok else 'FAILED'} in {time.perf_counter() - started:.1f} s."
    )
    _print_summary()
    console.print(
        "\nNext: [bold]make ui[/bold] opens the Dagster UI on http://localhost:3000 with this run; "
        "[bold]asn ingest FILE --instansi KODE --periode YYYY-MM[/bold] checks one file; "
        "[bold]make bench[/bold] measures each phase."
    )
    raise typer.Exit(code=0 if ok else 1)


def _print_summary() -> None:
    from dagster_project.summary import summarize

    summary = summarize(data_dir() / "warehouse.duckdb")
    table = Table(title="Warehouse summary", show_header=False)
    table.add_row("warehouse", str(summary.warehouse))
    table.add_row(
        "uploads", ", ".join(f"{k} {v}" for k, v in sorted(summary.uploads_by_status.items()))
    )
    table.add_row(
        "files loaded by type",
        ", ".join(f"{k} {v}" for k, v in sorted(summary.files_by_jenis.items())),
    )
    table.add_row(
        "rows read / accepted / refused",
        f"{summary.rows_read:,} / {summary.rows_accepted:,} / {summary.rows_rejected:,}",
    )
    if summary.pegawai_current is not None:
        table.add_row(
            "pegawai in fct_kepegawaian",
            f"{summary.pegawai_current:,} in {summary.instansi_reporting} instansi",
        )
    table.add_row(
        "national mean IP ASN",
        f"{summary.national_mean_ip_asn:.1f}"
        if summary.national_mean_ip_asn is not None
        else "not computed yet (IP ASN models arrive with their issue)",
    )
    console.print(table)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
) -> None:
    """Start the Dagster UI and daemon (sensors, schedules, run queue) on localhost."""
    import os
    import sys

    from dagster_project.deployment import initialised_instance
    from dagster_project.manifest import ensure_manifest

    export_environment()
    ensure_manifest()
    # storages created before `dagster dev` starts its webserver and daemon side by side
    initialised_instance(Path(os.environ["DAGSTER_HOME"])).dispose()
    dagster = str(Path(sys.executable).with_name("dagster"))
    console.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']})")
    os.execv(
        dagster, [dagster, "dev", "-m", "dagster_project.definitions", "-h", host, "-p", str(port)]
    )


@app.command()
def bench(
    pegawai: Annotated[
        int, typer.Option(help="Employees in the benchmark sample.", min=1)
    ] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    out: Annotated[Path | None, typer.Option(help="Work directory (default: a temp dir).")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the results as JSON here.")
    ] = None,
    only: Annotated[
        str | None, typer.Option(help="Comma-separated phases to run (default: all).")
    ] = None,
) -> None:
    """Time each phase (ingest, checks, dbt build) next to bare polars / DuckDB baselines."""
    from dagster_project.bench import run_benchmark

    phases = [p.strip() for p in only.split(",")] if only else None
    report = run_benchmark(pegawai=pegawai, seed=seed, workdir=out, only=phases)
    console.print(report.table())
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), indent=2))
        console.print(f"JSON written to {json_out}")


if __name__ == "__main__":
    app()
