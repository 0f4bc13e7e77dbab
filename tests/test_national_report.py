"""The national report renders in headless Chromium, with its charts, showing the marts' numbers."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from test_publish_fixture import build_warehouse

from dagster_project.publish import PublishSettings, publish
from dagster_project.publish.report import write_report

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PANELS = ["ip_asn_provinsi", "kategori", "award_provinsi", "kompetensi_20jp", "proyeksi_pensiun"]

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium")


def _publish_report(root: Path, marts: tuple[str, ...] | None = None) -> tuple[Path, Path]:
    kw = {"marts": marts} if marts else {}
    build_warehouse(root / "warehouse.duckdb", **kw)
    publish(root / "warehouse.duckdb", root / "published", settings=PublishSettings("k"))
    db = root / "published" / "asn_marts.duckdb"
    page = root / "published" / "national_report.html"
    write_report(db, page)
    return db, page


def _open(page_path: Path, shot: Path | None = None):
    """Load the page; return its panels with bars and table rows, and any network request."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            panels = page.eval_on_selector_all(
                "section.panel",
                """els => els.map(s => ({
                    id: s.dataset.panel, available: s.dataset.available === 'true',
                    text: s.innerText,
                    svgs: s.querySelectorAll('svg.chart').length,
                    svgHeight: s.querySelector('svg.chart')?.getBoundingClientRect().height || 0,
                    bars: [...s.querySelectorAll('svg.chart rect.bar')].map(r => ({
                        label: r.dataset.label, series: r.dataset.series || null,
                        value: parseFloat(r.dataset.value),
                        width: r.getBoundingClientRect().width})),
                    rows: [...s.querySelectorAll('table.data tbody tr')].map(r => ({
                        label: r.dataset.label,
                        value: r.dataset.value === '' ? null : parseFloat(r.dataset.value)})),
                }))""",
            )
            if shot:
                page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    return {p["id"]: p for p in panels}, [u for u in requests if not u.startswith("file:")]


def test_report_renders_with_the_marts_numbers(tmp_path: Path) -> None:
    db, page = _publish_report(tmp_path)
    shot = Path(os.environ.get("ASN_REPORT_SCREENSHOT", tmp_path / "national_report.png"))
    panels, network = _open(page, shot)
    assert network == []  # self-contained: no CDN, no fetch
    assert list(panels) == PANELS
    for panel in panels.values():
        assert panel["available"] and panel["svgs"] == 1 and panel["svgHeight"] > 50, panel["id"]
        assert panel["bars"] and all(b["width"] > 0 for b in panel["bars"]), panel["id"]
    assert shot.stat().st_size > 10_000

    con = duckdb.connect(str(db), read_only=True)
    try:

        def q(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        prov = q(
            "select wilayah_nama, rata_rata_skor from mart_ip_asn_wilayah where periode = "
            "'2025-12' and tingkat_wilayah = 'provinsi' and rata_rata_skor is not null"
        )
        kategori = q(
            "select jumlah_sangat_tinggi, jumlah_tinggi, jumlah_sedang, jumlah_rendah, "
            "jumlah_sangat_rendah from mart_ip_asn_wilayah "
            "where tingkat_wilayah = 'nasional' and periode = '2025-12'"
        )[0]
        award = q("select provinsi_nama, jumlah_penghargaan from mart_bkn_award_provinsi")
        jp = q(
            "select jenis_instansi, sum(jumlah_memenuhi) / sum(jumlah_pegawai) "
            "from mart_kompetensi_20jp_instansi where not suppressed group by 1"
        )
        pensiun = q(
            "select tahun_pensiun::varchar, position_family, jumlah_pensiun "
            "from mart_proyeksi_pensiun where not suppressed"
        )
    finally:
        con.close()

    def bars(panel: str) -> dict[str, float]:
        return {b["label"]: b["value"] for b in panels[panel]["bars"]}

    assert bars("ip_asn_provinsi") == {n: pytest.approx(float(v)) for n, v in prov}
    assert "Kalimantan Selatan" not in bars("ip_asn_provinsi")  # suppressed group: no bar
    sel = next(r for r in panels["ip_asn_provinsi"]["rows"] if r["label"] == "Kalimantan Selatan")
    assert sel["value"] is None and "disembunyikan" in panels["ip_asn_provinsi"]["text"]
    assert list(bars("kategori").values()) == [float(v) for v in kategori]
    assert bars("award_provinsi") == {n: float(v) for n, v in award}
    assert bars("kompetensi_20jp") == {j: pytest.approx(float(v)) for j, v in jp}
    stacked = {(b["label"], b["series"]): b["value"] for b in panels["proyeksi_pensiun"]["bars"]}
    assert stacked == {(y, f): float(n) for y, f, n in pensiun}
    # the table under each chart shows the same numbers as the bars
    for panel in ("ip_asn_provinsi", "kategori", "award_provinsi", "kompetensi_20jp"):
        table = {r["label"]: r["value"] for r in panels[panel]["rows"] if r["value"] is not None}
        assert table == pytest.approx(bars(panel)), panel
    assert "Pemerintah Provinsi Kalimantan Timur" in panels["award_provinsi"]["text"]


def test_missing_marts_render_as_not_available_yet(tmp_path: Path) -> None:
    _, page = _publish_report(tmp_path, marts=("mart_kepegawaian_instansi", "mart_ip_asn_wilayah"))
    panels, network = _open(page)
    assert network == []
    available = {k for k, p in panels.items() if p["available"]}
    assert available == {"ip_asn_provinsi", "kategori"}
    for key in ("award_provinsi", "kompetensi_20jp", "proyeksi_pensiun"):
        assert "not available yet" in panels[key]["text"] and panels[key]["svgs"] == 0
