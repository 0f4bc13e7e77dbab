"""``write_feedback(con, paths, upload_id) -> (html_path, xlsx_path)``.

Written to ``<ASN_DATA_DIR>/published/feedback/<instansi>/<periode>/<upload_id>.{html,xlsx}``:
summary counts first, then each refused cell (row as the uploader sees it, column, value found,
what is expected, how to fix it from ``reason_codes.csv``), then the data-quality results of the
latest gate run. The HTML is self-contained and autoescaped; spreadsheet cells that a
spreadsheet would read as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or CR) get a
leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, select_autoescape

from ingestion.catalog import DATA_DIR
from ingestion.paths import DataPaths
from ingestion.quality.gate import latest_results

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SAFE_PART = str.maketrans({c: "_" for c in '/\\:*?"<>|'})

TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<title>Umpan balik unggahan {{ u.jenis }} {{ u.instansi_kode }} {{ u.periode }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.blocking{color:#a00;font-weight:bold}.warning{color:#a60}
.ok{color:#070}
</style></head><body>
<h1>Umpan balik unggahan data {{ u.jenis }}</h1>
<p>Instansi <b>{{ u.instansi_kode }}</b>, periode <b>{{ u.periode }}</b>, file
<b>{{ u.source_file }}</b>, diterima {{ u.received_at }}. Status: <b>{{ status_label }}</b>.</p>
<h2>Ringkasan</h2>
<table id="ringkasan"><tbody>
{% for label, value in summary %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</tbody></table>
<h2>Baris yang ditolak</h2>
{% if problems %}<table id="masalah"><thead><tr><th>Baris</th><th>Kolom</th><th>Nilai</th>
<th>Masalah / yang diharapkan</th><th>Cara memperbaiki</th></tr></thead><tbody>
{% for p in problems %}<tr><td>{{ p.source_row }}</td><td>{{ p.column_name }}</td>
<td>{{ p.raw_value }}</td><td>{{ p.message }}</td><td>{{ p.how_to_fix }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>Tidak ada baris yang ditolak.</p>{% endif %}
<h2>Pemeriksaan mutu data</h2>
{% if checks %}<table id="mutu"><thead><tr><th>Pemeriksaan</th><th>Tingkat</th><th>Hasil</th>
<th>Jumlah tidak sesuai</th><th>Contoh</th></tr></thead><tbody>
{% for c in checks %}<tr><td>{{ c.description }}</td>
<td class="{{ c.severity }}">{{ 'memblokir' if c.severity == 'blocking' else 'peringatan' }}</td>
<td class="{{ 'ok' if c.success else c.severity }}">{{ 'lulus' if c.success else 'gagal' }}</td>
<td>{{ c.unexpected_count if c.unexpected_count is not none else '' }}</td>
<td>{{ c.sample }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>Belum ada hasil pemeriksaan mutu data.</p>{% endif %}
</body></html>
"""

STATUS_LABELS = {
    "loaded": "diterima",
    "refused": "ditolak seluruhnya",
    "blocked": "ditahan (data sebelumnya tetap dipakai)",
}


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _how_to_fix() -> dict[str, str]:
    with (DATA_DIR / "reason_codes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r["how_to_fix"] for r in csv.DictReader(fh)}


def _fill(template: str, column: str | None) -> str:
    return template.replace("{column}", column or "").replace("{domain}", column or "")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _atomic_write(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feedback(
    con: duckdb.DuckDBPyConnection, paths: DataPaths, upload_id: str
) -> tuple[Path, Path]:
    uploads = _rows(con, "select * from audit.uploads where upload_id = ?", [upload_id])
    if not uploads:
        raise ValueError(f"unknown upload {upload_id!r}")
    u = uploads[0]
    fixes = _how_to_fix()
    problems = _rows(
        con,
        "select source_row, column_name, raw_value, reason_code, message from audit.rejections "
        "where upload_id = ? order by source_row, column_name",
        [upload_id],
    )
    for p in problems:
        p["how_to_fix"] = _fill(fixes.get(p["reason_code"], ""), p["column_name"])
    checks = latest_results(con, upload_id)
    for c in checks:
        c["sample"] = ", ".join(
            json.dumps(v, ensure_ascii=False) for v in json.loads(c["unexpected_sample"] or "[]")
        )
    failed = [c for c in checks if not c["success"]]
    summary = [
        ("Baris dibaca", u["rows_read"]),
        ("Baris diterima", u["rows_accepted"]),
        ("Baris ditolak", u["rows_rejected"]),
        ("Sel bermasalah", len(problems)),
        ("Pemeriksaan mutu gagal (memblokir)", sum(c["severity"] == "blocking" for c in failed)),
        ("Pemeriksaan mutu gagal (peringatan)", sum(c["severity"] == "warning" for c in failed)),
    ]
    if u.get("error"):
        summary.append(("Keterangan", u["error"]))
    folder = (
        paths.published
        / "feedback"
        / str(u["instansi_kode"]).translate(_SAFE_PART)
        / str(u["periode"]).translate(_SAFE_PART)
    )
    folder.mkdir(parents=True, exist_ok=True)
    html_path, xlsx_path = folder / f"{upload_id}.html", folder / f"{upload_id}.xlsx"

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(TEMPLATE).render(
        u=u,
        status_label=STATUS_LABELS.get(u["status"], u["status"]),
        summary=summary,
        problems=problems,
        checks=checks,
        generated=dt.datetime.now(dt.UTC),
    )
    _atomic_write(html_path, lambda tmp: Path(tmp).write_text(html, encoding="utf-8"))
    _atomic_write(xlsx_path, lambda tmp: _write_xlsx(tmp, u, summary, problems, checks))
    return html_path, xlsx_path


def _write_xlsx(path: str, u, summary, problems, checks) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})

    def sheet(name: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                value = neutralise(value)
                if isinstance(value, str) or value is None:
                    ws.write_string(i, j, "" if value is None else value)
                else:
                    ws.write(i, j, value)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        ws.freeze_panes(1, 0)

    sheet(
        "Ringkasan",
        ["Keterangan", "Nilai"],
        [
            ["Instansi", u["instansi_kode"]],
            ["Periode", u["periode"]],
            ["File", u["source_file"]],
            ["Status", STATUS_LABELS.get(u["status"], u["status"])],
        ]
        + [[label, value] for label, value in summary],
    )
    sheet(
        "Baris ditolak",
        ["Baris", "Kolom", "Nilai", "Masalah / yang diharapkan", "Cara memperbaiki"],
        [
            [p["source_row"], p["column_name"], p["raw_value"], p["message"], p["how_to_fix"]]
            for p in problems
        ],
    )
    sheet(
        "Mutu data",
        ["Pemeriksaan", "Tingkat", "Hasil", "Jumlah tidak sesuai", "Contoh"],
        [
            [
                c["description"],
                c["severity"],
                "lulus" if c["success"] else "gagal",
                c["unexpected_count"],
                c["sample"],
            ]
            for c in checks
        ],
    )
    book.close()
