"""GX Data Docs built from real gated uploads: from the audit tables (another process) and from
the run's own result objects; plus the published/docs landing page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from corpus.build import csv_bytes, pegawai_row

from ingestion.paths import DataPaths
from ingestion.pipeline import ingest_file
from ingestion.quality.docs import build_data_docs, suite_names, write_landing_page
from ingestion.quality.gate import check_upload

TODAY = dt.date(2025, 12, 15)
SUITES = ["diklat", "hukdis", "pegawai", "skp"]


def _text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style).*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory):
    """Two real uploads of 64.72: a good one, then a re-upload blocked by a consistency rule."""
    paths = DataPaths.at(tmp_path_factory.mktemp("docs") / "data").ensure()
    con = duckdb.connect(str(paths.warehouse))
    checks = []
    good = [pegawai_row(i) for i in range(1, 11)]
    bad = [*good, pegawai_row(11, eselon_id="31", jenis_jabatan_id="2")]
    for name, rows in (("pegawai.csv", good), ("pegawai_revisi.csv", bad)):
        path = paths.landing / "2025-12" / "64.72" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(rows))
        upload = ingest_file(path, "64.72", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
        checks.append(check_upload(con, paths, upload.upload_id, today=TODAY))
    con.close()
    assert [c.decision for c in checks][1] == "blocked"
    return paths, checks


def _site_links(index: Path) -> tuple[set[str], set[str]]:
    page = index.read_text(encoding="utf-8")
    suites = set(re.findall(r"expectations/([a-z]+)\.html", page))
    validations = set(re.findall(r"validations/[^\"'\\]+?\.html", page))
    return suites, validations


def test_site_from_the_audit_tables(gated) -> None:
    paths, checks = gated
    index = build_data_docs(paths)  # no result objects: read back from audit.check_*
    assert index == paths.published / "docs" / "gx" / "index.html" and index.exists()
    suites, validations = _site_links(index)
    assert suites == set(SUITES) == set(suite_names())
    for jenis in SUITES:
        assert (index.parent / "expectations" / f"{jenis}.html").exists()
    # the good upload (current) and the blocked one: one page each, named by upload id
    assert len(validations) == 2
    for check in checks:
        pages = list((index.parent / "validations" / "pegawai").rglob(f"{check.upload_id}.html"))
        assert len(pages) == 1 and any(check.upload_id in v for v in validations)
    blocked = next((index.parent / "validations").rglob(f"{checks[1].upload_id}.html"))
    text = _text(blocked)
    assert "Status: Failed" in text and "pegawai 64.72 2025-12" in text
    assert "blocked" in text and "Unexpected rows query" in text
    # the stored sample of the offending row (eselon 31 on a functional position) is shown
    assert "jenis_jabatan_id not in ('1', '3')" in text
    # the landing page links both sites; a rebuild replaces the site without leftovers
    landing = paths.published / "docs" / "index.html"
    assert 'href="gx/index.html"' in landing.read_text(encoding="utf-8")
    assert 'href="dbt/index.html"' in landing.read_text(encoding="utf-8")
    build_data_docs(paths, limit=1)
    _, validations = _site_links(index)
    assert len(validations) == 1 and checks[1].upload_id in next(iter(validations))
    assert [p.name for p in index.parent.parent.iterdir() if p.name.startswith(".")] == []


def test_site_from_the_run_results(gated) -> None:
    paths, checks = gated
    index = build_data_docs(paths, results=checks)  # kept GX result objects of this process
    suites, validations = _site_links(index)
    assert suites == set(SUITES) and len(validations) == 2
    page = next((index.parent / "validations").rglob(f"{checks[1].upload_id}.html"))
    text = _text(page)
    assert "Status: Failed" in text and "Evaluated Expectations" in text
    # a bare BatchValidation (no upload) is accepted too
    index = build_data_docs(paths, results=[checks[0].validation])
    assert len(_site_links(index)[1]) == 1


def test_empty_warehouse_builds_the_suites_and_landing_page(tmp_path: Path) -> None:
    paths = DataPaths.at(tmp_path / "data")
    index = build_data_docs(paths)
    suites, validations = _site_links(index)
    assert suites == set(SUITES) and validations == set()
    (paths.published / "docs" / "dbt").mkdir()
    (paths.published / "docs" / "dbt" / "index.html").write_text("<html></html>")
    landing = write_landing_page(paths).read_text(encoding="utf-8")
    assert "belum dibangun" not in landing
