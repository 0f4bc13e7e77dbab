"""The national report: one static, self-contained HTML page with server-side SVG charts.

Reads the *published* marts only (``published/asn_marts.duckdb``, read-only) and never the
warehouse. Every chart is inline SVG (no script, no network); every bar carries ``data-label``
and ``data-value`` and each chart has a table of the same numbers under it, so the page is
accessible and testable. A mart that does not exist (yet) renders as a "not available yet"
panel instead of failing the report.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2

PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#c94c4c", "#8a63b8", "#7a7a7a", "#d4a017"]
KATEGORI = [
    ("jumlah_sangat_tinggi", "Sangat Tinggi", "#1a7f4b"),
    ("jumlah_tinggi", "Tinggi", "#5fb36b"),
    ("jumlah_sedang", "Sedang", "#e6b83a"),
    ("jumlah_rendah", "Rendah", "#e07b39"),
    ("jumlah_sangat_rendah", "Sangat Rendah", "#c0392b"),
]


@dataclass
class Panel:
    id: str
    title: str
    subtitle: str = ""
    mart: str = ""
    available: bool = True
    reason: str = ""
    svg: str = ""
    headers: list[str] = field(default_factory=list)
    # (label, value, formatted) rows; value is what data-value carries
    rows: list[tuple[str, float | None, str]] = field(default_factory=list)
    extra_table: list[list[str]] | None = None
    extra_headers: list[str] = field(default_factory=list)
    note: str = ""


def _fmt_num(v: float | None, digits: int = 0) -> str:
    if v is None:
        return "–"
    return f"{v:,.{digits}f}".replace(",", "\u202f")


def _fmt_pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def _value_attr(v: float | None) -> str:
    return "" if v is None else repr(round(float(v), 6))


def hbar_svg(
    chart: str,
    items: list[tuple[str, float]],
    fmt: Callable[[float], str],
    colors: list[str] | None = None,
    max_value: float | None = None,
    reference: tuple[str, float] | None = None,
) -> str:
    """Horizontal bars, one per (label, value)."""
    label_w, bar_w, row_h, top = 210, 380, 24, 10
    width = label_w + bar_w + 90
    height = top + row_h * len(items) + (28 if reference else 10)
    top_value = max_value or max([v for _, v in items] + [reference[1] if reference else 0]) or 1
    out = [
        f'<svg class="chart" data-chart="{chart}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, bar_w * value / top_value)
        color = (colors or PALETTE)[i % len(colors or PALETTE)] if colors else PALETTE[0]
        text = html.escape(label)
        out.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="lbl">{text}</text>'
            f'<rect class="bar" data-label="{text}" data-value="{_value_attr(value)}" '
            f'x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" fill="{color}">'
            f"<title>{text}: {html.escape(fmt(value))}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" class="val">{html.escape(fmt(value))}'
            "</text>"
        )
    if reference:
        x = label_w + bar_w * reference[1] / top_value
        y2 = top + row_h * len(items)
        out.append(
            f'<line class="ref" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{y2}" '
            'stroke="#222" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{y2 + 16}" text-anchor="middle" class="ref-lbl">'
            f"{html.escape(reference[0])} {html.escape(fmt(reference[1]))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def stacked_vbar_svg(chart: str, categories: list[str], series: dict[str, dict[str, float]]) -> str:
    """Vertical stacked bars: one bar per category, one segment per series."""
    width, height, left, bottom, top = 680, 300, 60, 40, 20
    legend_h = 22
    totals = {c: sum(s.get(c, 0) for s in series.values()) for c in categories}
    top_value = max(totals.values(), default=0) or 1
    plot_h = height - bottom - top - legend_h
    slot = (width - left - 10) / max(1, len(categories))
    bar_w = min(60.0, slot * 0.6)
    out = [
        f'<svg class="chart" data-chart="{chart}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in range(5):
        v = top_value * tick / 4
        y = top + legend_h + plot_h - plot_h * tick / 4
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{_fmt_num(v)}</text>"
        )
    names = list(series)
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        out.append(
            f'<rect x="{left + i * 120}" y="4" width="12" height="12" fill="{color}"/>'
            f'<text x="{left + i * 120 + 16}" y="14" class="lbl">{html.escape(name)}</text>'
        )
    for j, cat in enumerate(categories):
        x = left + j * slot + (slot - bar_w) / 2
        y = top + legend_h + plot_h
        for i, name in enumerate(names):
            value = series[name].get(cat, 0)
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            out.append(
                f'<rect class="bar" data-series="{html.escape(name)}" '
                f'data-label="{html.escape(cat)}" data-value="{_value_attr(value)}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{html.escape(cat)} · '
                f"{html.escape(name)}: {_fmt_num(value)}</title></rect>"
            )
        out.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="val" '
            f'data-total="{_value_attr(totals[cat])}">{_fmt_num(totals[cat])}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'class="lbl">{html.escape(cat)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


class _Marts:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        self.columns: dict[str, set[str]] = {}
        for t, c in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main'"
        ).fetchall():
            self.columns.setdefault(t, set()).add(c)

    def missing(self, table: str, columns: set[str]) -> str | None:
        if table not in self.tables:
            return f"Mart {table} belum tersedia (not available yet)."
        lacking = columns - self.columns.get(table, set())
        if lacking:
            return f"Mart {table} lacks columns {', '.join(sorted(lacking))} (not available yet)."
        return None

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()


def _unavailable(panel: Panel, reason: str) -> Panel:
    panel.available, panel.reason = False, reason
    return panel


def _panel_ip_asn_provinsi(m: _Marts) -> Panel:
    p = Panel("ip_asn_provinsi", "IP ASN per provinsi", mart="mart_ip_asn_wilayah")
    need = {"tingkat_wilayah", "wilayah_kode", "wilayah_nama", "periode", "rata_rata_skor"}
    if reason := m.missing(p.mart, need | {"jumlah_pegawai"}):
        return _unavailable(p, reason)
    (periode,) = m.rows(f"select max(periode) from {p.mart}")[0]
    if periode is None:
        return _unavailable(p, f"{p.mart} is empty.")
    rows = m.rows(
        f"select coalesce(wilayah_nama, wilayah_kode), rata_rata_skor, jumlah_pegawai "
        f"from {p.mart} where tingkat_wilayah = 'provinsi' and periode = ? "
        "order by rata_rata_skor desc nulls last, wilayah_kode",
        [periode],
    )
    nasional = m.rows(
        f"select rata_rata_skor from {p.mart} where tingkat_wilayah = 'nasional' and periode = ?",
        [periode],
    )
    shown = [(str(n), float(v)) for n, v, _ in rows if v is not None]
    hidden = len(rows) - len(shown)
    ref = ("Nasional", float(nasional[0][0])) if nasional and nasional[0][0] is not None else None
    p.subtitle = f"Rata-rata skor IP ASN, periode {periode}"
    p.svg = hbar_svg(p.id, shown, lambda v: f"{v:.2f}", max_value=100, reference=ref)
    p.headers = ["Provinsi", "Rata-rata skor", "Pegawai dinilai"]
    p.rows = [(str(n), None if v is None else float(v), _fmt_num(j)) for n, v, j in rows]
    p.note = f"{hidden} provinsi disembunyikan (kelompok kecil)." if hidden else ""
    return p


def _panel_kategori(m: _Marts) -> Panel:
    p = Panel("kategori", "Distribusi kategori IP ASN", mart="mart_ip_asn_wilayah")
    cols = {c for c, _, _ in KATEGORI}
    if reason := m.missing(p.mart, cols | {"tingkat_wilayah", "periode"}):
        return _unavailable(p, reason)
    (periode,) = m.rows(f"select max(periode) from {p.mart}")[0]
    got = m.rows(
        f"select {', '.join(c for c, _, _ in KATEGORI)} from {p.mart} "
        "where tingkat_wilayah = 'nasional' and periode = ?",
        [periode],
    )
    if not got or all(v is None for v in got[0]):
        return _unavailable(p, "No national row for the latest periode (or it is suppressed).")
    values = [0.0 if v is None else float(v) for v in got[0]]
    total = sum(values) or 1.0
    items = [(label, v) for (_, label, _), v in zip(KATEGORI, values, strict=True)]
    p.subtitle = f"Pegawai per kategori, nasional, periode {periode}"
    p.svg = hbar_svg(
        p.id,
        items,
        lambda v: f"{_fmt_num(v)} ({100 * v / total:.1f} %)",
        colors=[c for _, _, c in KATEGORI],
    )
    p.headers = ["Kategori", "Pegawai", "Persentase"]
    p.rows = [(label, v, _fmt_pct(v / total)) for label, v in items]
    return p


def _panel_award(m: _Marts) -> Panel:
    p = Panel(
        "award_provinsi", "BKN Award: penghargaan per provinsi", mart="mart_bkn_award_provinsi"
    )
    need = {"tahun", "provinsi_kode", "provinsi_nama", "jumlah_penghargaan", "peringkat"}
    if reason := m.missing(p.mart, need):
        return _unavailable(p, reason)
    (tahun,) = m.rows(f"select max(tahun) from {p.mart}")[0]
    if tahun is None:
        return _unavailable(p, f"{p.mart} is empty.")
    rows = m.rows(
        f"select coalesce(provinsi_nama, provinsi_kode), jumlah_penghargaan, peringkat "
        f"from {p.mart} where tahun = ? order by peringkat, provinsi_kode limit 15",
        [tahun],
    )
    p.subtitle = f"Provinsi (pemerintah provinsi dan kabupaten/kota), tahun {tahun}"
    p.svg = hbar_svg(p.id, [(str(n), float(v or 0)) for n, v, _ in rows], _fmt_num)
    p.headers = ["Provinsi", "Penghargaan", "Peringkat"]
    p.rows = [(str(n), float(v or 0), str(r)) for n, v, r in rows]
    if not m.missing(
        "mart_bkn_award_instansi",
        {"tahun", "jenis_instansi", "peringkat_kelompok", "instansi_nama", "skor_komposit",
         "is_pemenang_umum"},
    ):  # fmt: skip
        winners = m.rows(
            "select jenis_instansi, peringkat_kelompok, instansi_nama, skor_komposit "
            "from mart_bkn_award_instansi where tahun = ? and is_pemenang_umum "
            "order by jenis_instansi, peringkat_kelompok",
            [tahun],
        )
        p.extra_headers = ["Kelompok", "Peringkat", "Instansi", "Skor komposit"]
        p.extra_table = [
            [str(j), str(r), str(n), _fmt_num(None if s is None else float(s), 2)]
            for j, r, n, s in winners
        ]
    return p


def _panel_20jp(m: _Marts) -> Panel:
    p = Panel("kompetensi_20jp", "Kepatuhan 20 JP", mart="mart_kompetensi_20jp_instansi")
    need = {"tahun", "jenis_instansi", "jumlah_pegawai", "jumlah_memenuhi"}
    if reason := m.missing(p.mart, need):
        return _unavailable(p, reason)
    (tahun,) = m.rows(f"select max(tahun) from {p.mart}")[0]
    if tahun is None:
        return _unavailable(p, f"{p.mart} is empty.")
    rows = m.rows(
        f"select coalesce(jenis_instansi, '(lainnya)'), sum(jumlah_memenuhi), sum(jumlah_pegawai) "
        f"from {p.mart} where tahun = ? and jumlah_pegawai is not null "
        "group by 1 order by 1",
        [tahun],
    )
    (total_m, total_p) = m.rows(
        f"select sum(jumlah_memenuhi), sum(jumlah_pegawai) from {p.mart} "
        "where tahun = ? and jumlah_pegawai is not null",
        [tahun],
    )[0]
    items = [(str(j), float(a) / float(b)) for j, a, b in rows if b]
    ref = ("Nasional", float(total_m) / float(total_p)) if total_p else None
    p.subtitle = f"Pegawai dengan ≥ 20 JP pengembangan kompetensi, tahun {tahun}"
    p.svg = hbar_svg(p.id, items, _fmt_pct, max_value=1.0, reference=ref)
    p.headers = ["Jenis instansi", "Memenuhi 20 JP", "Pegawai"]
    p.rows = [(str(j), float(a) / float(b), _fmt_num(b)) for j, a, b in rows if b]
    p.note = "Kelompok kecil yang disembunyikan tidak dihitung."
    return p


def _panel_pensiun(m: _Marts) -> Panel:
    p = Panel("proyeksi_pensiun", "Proyeksi pensiun", mart="mart_proyeksi_pensiun")
    need = {"periode", "tahun_pensiun", "position_family", "jumlah_pensiun"}
    if reason := m.missing(p.mart, need):
        return _unavailable(p, reason)
    (periode,) = m.rows(f"select max(periode) from {p.mart}")[0]
    if periode is None:
        return _unavailable(p, f"{p.mart} is empty.")
    rows = m.rows(
        f"select tahun_pensiun, coalesce(position_family, '(tidak diketahui)'), "
        f"sum(jumlah_pensiun) from {p.mart} where periode = ? and jumlah_pensiun is not null "
        "group by 1, 2 order by 1, 2",
        [periode],
    )
    years = sorted({str(y) for y, _, _ in rows})
    series: dict[str, dict[str, float]] = {}
    for y, fam, n in rows:
        series.setdefault(str(fam), {})[str(y)] = float(n)
    p.subtitle = f"Pegawai mencapai BUP per tahun, per rumpun jabatan (dari periode {periode})"
    p.svg = stacked_vbar_svg(p.id, years, series)
    totals = {y: sum(s.get(y, 0) for s in series.values()) for y in years}
    p.headers = ["Tahun", "Pensiun", "Per rumpun jabatan"]
    p.rows = [
        (y, totals[y], " · ".join(f"{f} {_fmt_num(s[y])}" for f, s in series.items() if y in s))
        for y in years
    ]
    return p


PANELS = [_panel_ip_asn_provinsi, _panel_kategori, _panel_award, _panel_20jp, _panel_pensiun]

TEMPLATE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Laporan Nasional ASN {{ version or '' }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
 background:#f4f6f8;color:#1d2733}
header{background:#123b5c;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;opacity:.85}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:18px;
 padding:20px 32px}
section.panel{background:#fff;border-radius:8px;padding:16px 20px;
 box-shadow:0 1px 3px rgba(0,0,0,.12)}
section.panel h2{margin:0;font-size:18px}.sub{margin:2px 0 10px;color:#566;font-size:13px}
.lbl,.val,.tick,.ref-lbl{font-size:12px;fill:#1d2733}.val{fill:#333}.tick{fill:#777}
table{border-collapse:collapse;width:100%;font-size:12px;margin-top:8px}
th,td{border-bottom:1px solid #e3e7eb;padding:3px 6px;text-align:left}td.num{text-align:right}
details summary{cursor:pointer;color:#345;font-size:13px;margin-top:6px}
.unavailable{background:#fafafa;border:2px dashed #c5ccd3;color:#667}
.unavailable .msg{font-size:15px;padding:30px 0;text-align:center}
.note{font-size:12px;color:#a15c00}.warn{background:#fff3cd;color:#7a5300;padding:8px 32px}
footer{padding:8px 32px 24px;font-size:12px;color:#667}
</style></head><body>
<header><h1>Laporan Nasional Aparatur Sipil Negara</h1>
<p>Publikasi {{ version or 'unknown' }} · dibuat {{ generated_at }} UTC ·
kelompok &lt; {{ k }} pegawai disembunyikan</p></header>
{% if key_is_default %}<div class="warn">Data demo: pseudonim memakai kunci demo.</div>{% endif %}
<main>
{% for p in panels %}
<section class="panel{% if not p.available %} unavailable{% endif %}" id="panel-{{ p.id }}"
 data-panel="{{ p.id }}" data-mart="{{ p.mart }}"
 data-available="{{ 'true' if p.available else 'false' }}">
<h2>{{ p.title }}</h2>
{% if p.available %}
<p class="sub">{{ p.subtitle }}</p>
{{ p.svg | safe }}
{% if p.note %}<p class="note">{{ p.note }}</p>{% endif %}
<details open><summary>Angka</summary>
<table class="data" data-chart="{{ p.id }}"><thead><tr>
{% for h in p.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for label, value, shown in p.rows %}
<tr data-label="{{ label }}" data-value="{{ value_attr(value) }}"><td>{{ label }}</td>
<td class="num">{{ fmt_main(p.id, value) }}</td><td class="num">{{ shown }}</td></tr>{% endfor %}
</tbody></table></details>
{% if p.extra_table is not none %}
<h3 style="font-size:14px;margin:12px 0 0">Pemenang umum per kelompok</h3>
<table class="winners" data-chart="{{ p.id }}_pemenang"><thead><tr>
{% for h in p.extra_headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in p.extra_table %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% endif %}
{% else %}
<p class="msg">Belum tersedia — not available yet.</p><p class="sub">{{ p.reason }}</p>
{% endif %}
</section>
{% endfor %}
</main>
<footer>Sumber: marts terpublikasi (asn_marts.duckdb), tanpa nama, NIP, NIK atau tanggal lahir.
Kamus data: semantic.json / README.md di folder publikasi.</footer>
</body></html>
"""


def _fmt_main(panel_id: str, value: float | None) -> str:
    if value is None:
        return "disembunyikan"
    if panel_id == "kompetensi_20jp":
        return _fmt_pct(value)
    if panel_id == "ip_asn_provinsi":
        return f"{value:.2f}"
    return _fmt_num(value)


def build_panels(con: duckdb.DuckDBPyConnection) -> list[Panel]:
    marts = _Marts(con)
    return [panel(marts) for panel in PANELS]


def render_report(database: Path | str) -> tuple[str, dict[str, Any]]:
    """HTML of the report from a published database, and a summary of what it shows."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        panels = build_panels(con)
        meta = _Marts(con)
        version, key_is_default, k = None, False, None
        if "_publication" in meta.tables:
            got = con.execute(
                "select max(version), bool_or(pseudonym_key_is_default), max(min_group_size) "
                "from _publication"
            ).fetchone()
            version, key_is_default, k = got
    finally:
        con.close()
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    page = env.from_string(TEMPLATE).render(
        panels=panels,
        version=version,
        k=k if k is not None else "?",
        key_is_default=key_is_default,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        value_attr=_value_attr,
        fmt_main=_fmt_main,
    )
    summary = {
        "version": version,
        "available": [p.id for p in panels if p.available],
        "not_available": [p.id for p in panels if not p.available],
    }
    return page, summary


def write_report(database: Path | str, target: Path | str) -> dict[str, Any]:
    """Render and write atomically (a director's browser never sees half a page)."""
    target = Path(target)
    page, summary = render_report(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    summary["path"] = str(target)
    summary["bytes"] = len(page.encode("utf-8"))
    return summary
