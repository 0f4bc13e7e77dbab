"""Feedback report: XLSX opens with neutralised cells, HTML parses and is escaped."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
from corpus.build import csv_bytes, pegawai_row

from ingestion.feedback import neutralise, write_feedback
from ingestion.paths import DataPaths
from ingestion.pipeline import ingest_file
from ingestion.quality.gate import check_upload

TODAY = dt.date(2025, 12, 15)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[str] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(dict(attrs).get("id", ""))
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


def test_neutralise() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert [neutralise(v) for v in ("+6281", "-5", "@SUM(A1)", "\tx", "\rx")] == [
        "'+6281",
        "'-5",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert neutralise("Budi") == "Budi" and neutralise(5) == 5


def test_feedback_html_and_xlsx(tmp_path: Path) -> None:
    paths = DataPaths.at(tmp_path / "data").ensure()
    con = duckdb.connect(str(paths.warehouse))
    rows = [pegawai_row(i) for i in range(1, 6)]
    rows.append(pegawai_row(6, jenis_kelamin='=HYPERLINK("http://x")', nama="<script>x</script>"))
    rows.append(pegawai_row(7, golongan="@SUM(A1)"))
    path = paths.landing / "2025-12" / "64.72" / "pegawai.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(csv_bytes(rows))
    result = ingest_file(path, "64.72", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
    assert result.rows_rejected == 2
    check_upload(con, paths, result.upload_id, today=TODAY)
    html_path, xlsx_path = write_feedback(con, paths, result.upload_id)
    con.close()
    assert (
        html_path == paths.published / "feedback" / "64.72" / "2025-12" / f"{result.upload_id}.html"
    )

    html = html_path.read_text(encoding="utf-8")
    parser = _Cells()
    parser.feed(html)
    assert parser.tables == ["ringkasan", "masalah", "mutu"]
    assert parser.external == []
    assert "<script>" not in html
    text = " ".join(parser.text)
    assert "Baris ditolak" in text and "Cara memperbaiki" in text

    book = openpyxl.load_workbook(xlsx_path)
    assert book.sheetnames == ["Ringkasan", "Baris ditolak", "Mutu data"]
    values = [c.value for row in book["Baris ditolak"].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in values and "'@SUM(A1)" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)
    assert all(c.data_type != "f" for row in book["Baris ditolak"].iter_rows() for c in row)
