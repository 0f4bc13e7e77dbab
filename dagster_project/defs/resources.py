"""Resources, configured from environment variables with documented defaults.

- ``ASN_DATA_DIR`` (default ``<repo>/data``): landing area, archive, raw Parquet and the
  DuckDB warehouse; ``DUCKDB_DATABASE`` overrides the warehouse file alone.
- ``DBT_THREADS`` (default 1): dbt-duckdb threads on one local file (see engineering notes).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from dagster_project.locks import warehouse_write_lock
from dagster_project.project import dbt_executable, dbt_project
from ingestion.load import ensure_warehouse
from ingestion.paths import DataPaths


class WarehouseResource(dg.ConfigurableResource):
    """The data directory and the DuckDB warehouse in it.

    Connections are opened per use and closed straight after: DuckDB admits one writing
    process, and dbt runs in a subprocess that needs the file next.
    """

    data_dir: str | None = None

    def paths(self) -> DataPaths:
        # Unset means "from the environment at use time", so a run sees the ASN_DATA_DIR of
        # the process that executes it (the CLI and tests set it per run).
        return DataPaths.at(self.data_dir) if self.data_dir else DataPaths.from_env()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        paths = self.paths()
        paths.ensure()
        # Readers take the lock too: DuckDB refuses even a read-only open while another
        # process writes. BI tools read the published copy instead, never this file.
        with warehouse_write_lock(paths.warehouse):
            con = duckdb.connect(str(paths.warehouse), read_only=read_only)
            try:
                if not read_only:
                    ensure_warehouse(con, paths)
                yield con
            finally:
                con.close()

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the warehouse for a writer that opens it itself (dbt's subprocess)."""
        paths = self.paths()
        paths.ensure()
        with warehouse_write_lock(paths.warehouse):
            yield


class AsnDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without the in-process dbt adapter and the ``dbt --version`` call.

    Before every invocation ``DbtCliResource.cli`` loads the dbt project, profile and adapter in
    the Dagster process, only to fetch column metadata or row counts afterwards
    (``fetch_column_metadata`` / ``fetch_row_counts``), which this project does not use: 1-8 s
    of framework time per build on this machine (issue #5). dbt itself runs in its subprocess
    as before; without an adapter dagster-dbt skips those optional fetches.
    """

    def _initialize_dbt_core_adapter(self, args: list[str]) -> None:  # dagster-dbt's hook
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        """The dbt beside this Python (dbt_executable) is this environment's dbt-core: read its
        version from the package metadata instead of running ``dbt --version`` before every
        build (a second dbt start-up, which also asks PyPI for the latest version: 4 s of CPU
        and up to ~30 s of wall time here)."""
        return version.parse(importlib.metadata.version("dbt-core"))


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),
        "dbt": AsnDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
