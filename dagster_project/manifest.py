"""Keep dbt's manifest prepared before the Dagster definitions load.

``@dbt_assets`` reads ``dbt/target/manifest.json`` at import time; parsing on every import is
slow and races when two processes start at once (engineering notes), so the CLI parses once,
only when a file of the dbt project is newer than the manifest.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from dagster_project.project import DBT_PROJECT_DIR, dbt_executable

_SKIP_DIRS = {"target", "logs", "dbt_packages"}


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for path in project_dir.rglob("*"):
        if path.is_file() and not _SKIP_DIRS.intersection(path.relative_to(project_dir).parts):
            newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project_dir)


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Run ``dbt parse`` when the manifest is missing or older than the project files.

    The manifest is written to ``<project>/target`` whatever DBT_TARGET_PATH says: that is where
    ``@dbt_assets`` reads it (DBT_TARGET_PATH moves the artefacts of dbt runs; following it here
    left a stale manifest behind and Dagster then met dbt nodes it did not know).
    """
    if not manifest_is_stale(project_dir):
        return
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(project_dir / "target"),
        ],
        check=True,
    )
