"""Headless Chromium (Debian's package) signs in, uploads a messy file, reads the feedback."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from ingestion.portal.samples import pegawai_csv
from ingestion.portal.server import running
from ingestion.portal.store import Store
from ingestion.portal.testing import settings_for, tokens

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"
    ),
]


def messy_xlsx(path: Path) -> Path:
    """A title block above the header, human labels, planted errors: what offices send."""
    frame = pl.read_csv(pegawai_csv(60, messy_every=6), separator=";", infer_schema=False)
    buf = io.BytesIO()
    frame.write_excel(buf, position="A3")  # rows 1-2 left for a title block
    path.write_bytes(buf.getvalue())
    return path


def test_office_signs_in_uploads_and_reads_verdict(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    settings = settings_for(tmp_path / "data")
    token_a, _, _ = tokens(Store(settings.db_path))
    upload_file = messy_xlsx(tmp_path / "Data Pegawai Desember.xlsx")
    with running(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{base}/upload")
            expect(page).to_have_url(f"{base}/login")

            page.fill("#token", "asnp_salah")
            page.click("button[type=submit]")
            expect(page.locator("#error")).to_contain_text("Token tidak dikenal")

            page.fill("#token", token_a)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/upload")
            expect(page.locator("header")).to_contain_text("Samarinda")

            page.select_option("#jenis", "pegawai")
            page.fill("#periode", "2025-12")
            page.set_input_files("#file", str(upload_file))
            page.click("button.primary")

            expect(page.locator("#status")).to_have_attribute("data-status", "accepted")
            expect(page.locator("#status")).to_have_text("diterima")
            expect(page.locator("#rows-read")).to_have_text("60")
            expect(page.locator("#rows-accepted")).to_have_text("50")
            expect(page.locator("#rows-rejected")).to_have_text("10")
            table = page.locator("#rejections")
            expect(table.locator("tbody tr")).to_have_count(10)
            first = table.locator("tbody tr").first
            # spreadsheet row as Excel shows it: header on row 3, first error on data row 6 -> 9
            expect(first.locator("td").nth(0)).to_have_text("9")
            expect(first.locator("td").nth(1)).to_have_text("nip")
            expect(first).to_contain_text("tidak valid")
            expect(page.locator("#pipeline")).to_contain_text("Laporan umpan balik")

            page.click("header a[href='/uploads']")
            expect(page.locator("#history tbody tr")).to_have_count(1)
            expect(page.locator("#history")).to_contain_text("Data Pegawai Desember.xlsx")

            # a refusal is explained on the page, in Indonesian
            page.click("header a[href='/upload']")
            bogus = tmp_path / "pegawai.csv"
            bogus.write_bytes(b"%PDF-1.4 not a spreadsheet")
            page.fill("#periode", "2025-12")
            page.set_input_files("#file", str(bogus))
            page.click("button.primary")
            expect(page.locator("#error")).to_contain_text("bukan CSV, XLSX atau Parquet")

            cookies = page.context.cookies()
            session = next(c for c in cookies if c["name"] == "asn_portal_session")
            assert session["httpOnly"] and session["sameSite"] == "Lax"
        finally:
            browser.close()
