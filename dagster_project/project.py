"""Locations shared by the Dagster definitions, the CLI and the tests.

One environment variable, ``ASN_DATA_DIR``, decides where every piece of data lives; the dbt
profile (``dbt/profiles.yml``) reads the same variable, so Dagster resources and dbt always
point at the same DuckDB file.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DEFAULT_DATA_DIR = REPO_ROOT / "data"


def data_dir() -> Path:
    """The data directory, absolute, from ``ASN_DATA_DIR`` (default ``<repo>/data``)."""
    return Path(os.environ.get("ASN_DATA_DIR", DEFAULT_DATA_DIR)).expanduser().resolve()


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv), whether or not the venv is on PATH."""
    return str(Path(sys.executable).with_name("dbt"))


def export_environment() -> Path:
    """Pin ``ASN_DATA_DIR`` (absolute) and ``DAGSTER_HOME`` in this process's environment.

    dbt runs as a subprocess and reads the variable from its environment; making it absolute
    here means a relative path given by the user cannot resolve differently in the subprocess.
    """
    root = data_dir()
    os.environ["ASN_DATA_DIR"] = str(root)
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(root / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    instance_config = home / "dagster.yaml"
    if not instance_config.exists():
        # Run queue and writer limits (see dagster_project/dagster.yaml); the user may edit
        # the copy, so an existing one is never overwritten.
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), instance_config)
    return root


# The manifest is prepared before the definitions load: `make manifest`, or `asn` itself
# (manifest.ensure_manifest, also before `asn ui` starts `dagster dev`). Not
# `prepare_if_dev()`: under `dagster dev` it looks for `dbt` on PATH, which an unactivated
# venv lacks (the code location then fails to load), and it would parse again at every start.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
