"""``generate``: a deterministic synthetic national sample in the landing layout.

Work is done one instansi at a time with an RNG derived from (seed, instansi index), and
each file is written and released before the next instansi, so memory is bounded by the
largest instansi whatever the sample size. Only the NIP serial counters are shared, and
they are consumed in register order, which keeps runs byte-identical for a seed.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import polars as pl
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingestion.synthetic.allocation import allocate
from ingestion.synthetic.catalog import JENIS, canonical_columns, header_aliases
from ingestion.synthetic.context import InstansiContext, Periode, load_register
from ingestion.synthetic.habits import ExportHabits, choose_habits
from ingestion.synthetic.messy import apply_overrides, duplicate_order, plan_errors
from ingestion.synthetic.nip import NipRegistry
from ingestion.synthetic.pegawai import generate_pegawai
from ingestion.synthetic.render import BULAN, EXCEL_DATE_STYLES, render
from ingestion.synthetic.riwayat import generate_diklat, generate_hukdis, generate_skp
from ingestion.synthetic.summary import GenerationSummary
from ingestion.synthetic.unor import build_units
from ingestion.synthetic.writers import XLSX_MAX_ROWS, write_csv, write_parquet, write_xlsx

GENERATOR_DIR = "_generator"
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}
TITLES = {
    "pegawai": "DAFTAR NOMINATIF PEGAWAI",
    "diklat": "DAFTAR RIWAYAT DIKLAT PEGAWAI",
    "skp": "REKAPITULASI PENILAIAN KINERJA PEGAWAI (SKP)",
    "hukdis": "DAFTAR PEGAWAI YANG DIJATUHI HUKUMAN DISIPLIN",
}
PLANTED_COLUMNS = ["periode", "instansi_kode", "jenis", "file", "source_row", "column", "kind"]


def _clean(out_dir: Path, periode: str, contexts: tuple[InstansiContext, ...]) -> None:
    """Remove files a previous run wrote for this periode (and only those)."""
    base = out_dir / periode
    for ctx in contexts:
        folder = base / ctx.kode
        if not folder.is_dir():
            continue
        for jenis in JENIS:
            for ext in EXTENSIONS.values():
                (folder / f"{jenis}.{ext}").unlink(missing_ok=True)


def _title(jenis: str, ctx: InstansiContext, periode: Periode, rows: int) -> list[str]:
    lines = [TITLES[jenis], ctx.nama, f"Periode {BULAN[periode.month - 1]} {periode.year}"]
    return [*lines[: rows - 1], ""]


def _effective_habits(habits: ExportHabits, rows: int) -> ExportHabits:
    """An office cannot save more rows than a worksheet holds: it exports CSV instead."""
    if habits.fmt == "xlsx" and rows + habits.title_rows + 1 > XLSX_MAX_ROWS:
        style = "dmy_slash" if habits.date_style in EXCEL_DATE_STYLES else habits.date_style
        return dataclasses.replace(habits, fmt="csv", date_style=style)
    return habits


def _write_extract(
    frame: pl.DataFrame,
    jenis: str,
    ctx: InstansiContext,
    periode: Periode,
    habits: ExportHabits,
    rng: np.random.Generator,
    messy: float,
    out_dir: Path,
    planted: csv.writer,
    summary: GenerationSummary,
) -> None:
    plan = plan_errors(frame, jenis, messy, rng, habits, periode.snapshot)
    habits = _effective_habits(habits, frame.height + len(plan.duplicates))
    rendered = render(plan.frame, jenis, habits, rng)
    if habits.fmt != "xlsx" and plan.overrides:
        rendered = apply_overrides(rendered, plan.overrides)
    take, position = duplicate_order(rendered.height, plan.duplicates)
    if plan.duplicates:
        rendered = rendered[take]
    headers = header_aliases()[(jenis, habits.header_style)]
    rendered = rendered.rename({c: headers[c] for c in rendered.columns})
    folder = out_dir / periode.label / ctx.kode
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{jenis}.{EXTENSIONS[habits.fmt]}"
    first_data_row = 2
    if habits.fmt == "csv":
        write_csv(rendered, path, habits)
    elif habits.fmt == "parquet":
        write_parquet(rendered, path)
    else:
        title = _title(jenis, ctx, periode, habits.title_rows)
        first_data_row = len(title) + 2
        index = {c: i for i, c in enumerate(canonical_columns()[jenis])}
        cells: dict[int, dict[int, object]] = {}
        for column, values in plan.overrides.items():
            for row, value in values.items():
                cells.setdefault(int(position[row]), {})[index[column]] = value
        write_xlsx(rendered, path, habits, title, cells)
    summary.add_file(jenis, habits.fmt, rendered.height)
    relative = path.relative_to(out_dir).as_posix()
    for row, column, kind in plan.records:
        final = int(position[row]) + (1 if kind == "duplicate_row" else 0)
        planted.writerow(
            [periode.label, ctx.kode, jenis, relative, final + first_data_row, column, kind]
        )
    summary.planted_errors += len(plan.records)


def _progress(enabled: bool, total: int):
    if not enabled:
        return nullcontext(None)
    return Progress(
        TextColumn("[bold]generating[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


def generate(
    out_dir: Path,
    pegawai: int,
    seed: int,
    periode: str = "2025-12",
    messy: float = 0.0,
    progress: bool = False,
) -> GenerationSummary:
    """Write ``pegawai`` synthetic employees and their histories under ``out_dir``.

    Layout: ``out_dir/<periode>/<instansi_kode>/<jenis>.<csv|xlsx|parquet>``; the ground
    truth goes to ``out_dir/_generator/planted_errors.csv`` and ``summary.json`` (folders
    starting with ``_`` are ignored by the ingestion scanner). Same arguments, same bytes.
    """
    out_dir = Path(out_dir)
    per = Periode.parse(periode)
    register, contexts, _ = load_register()
    provinces = tuple(c.provinsi_nama for c in contexts if c.jenis_instansi == "provinsi")
    counts = allocate(
        pegawai,
        register["jenis_instansi"].to_list(),
        register["size_weight"].to_numpy(),
        np.random.default_rng([seed, 0xA110C]),
    )
    _clean(out_dir, per.label, contexts)
    meta = out_dir / GENERATOR_DIR
    meta.mkdir(parents=True, exist_ok=True)
    summary = GenerationSummary(str(out_dir), per.label, seed, pegawai, messy)
    registry = NipRegistry()
    with (
        (meta / "planted_errors.csv").open("w", newline="", encoding="utf-8") as handle,
        _progress(progress, pegawai) as bar,
    ):
        planted = csv.writer(handle, lineterminator="\n")
        planted.writerow(PLANTED_COLUMNS)
        task = bar.add_task("pegawai", total=pegawai) if bar is not None else None
        for ctx, n in zip(contexts, counts.tolist(), strict=True):
            if n == 0:
                continue
            rng = np.random.default_rng([seed, ctx.index])
            units = build_units(ctx, rng, provinces)
            staff = generate_pegawai(ctx, n, rng, per, registry, units)
            frames = {
                "pegawai": staff,
                "diklat": generate_diklat(ctx, staff, rng, per),
                "skp": generate_skp(staff, rng, per),
                "hukdis": generate_hukdis(ctx, staff, rng, per),
            }
            habits = choose_habits(seed, ctx.index)
            for jenis in JENIS:
                frame = frames[jenis]
                if frame.height == 0:
                    continue
                frame = frame.select(canonical_columns()[jenis])
                _write_extract(
                    frame, jenis, ctx, per, habits, rng, messy, out_dir, planted, summary
                )
            summary.instansi += 1
            if bar is not None:
                bar.update(task, advance=n, description=ctx.kode)
    (meta / "summary.json").write_text(
        json.dumps(summary.to_dict(), indent=2, sort_keys=True) + "\n"
    )
    return summary
