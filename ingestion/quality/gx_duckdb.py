"""Great Expectations 1.x on DuckDB: a SQL datasource whose execution engine keeps its results.

GX's ``SqlAlchemyExecutionEngine.execute_query`` opens a pooled connection, executes, closes the
connection and only then lets the caller ``fetchall()``. On DuckDB (duckdb_engine) closing the
connection discards the pending result, so every metric comes back empty (``IndexError`` /
``'NoneType' object is not subscriptable`` in the validation result). GX already solves the same
problem for SQLite and SQL Server by keeping one persisted connection; this module does the same
for DuckDB with a registered datasource type (``asn_duckdb``), nothing patched in GX itself.

The other DuckDB gap, no regex in GX's DuckDB dialect (``expect_column_values_to_match_regex``
fails with "regex is not supported for dialect"), is handled in the suites: shape checks are
``expect_no_unexpected_rows`` queries (below) using DuckDB's ``regexp_full_match``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar, Literal

from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.core.unexpected_rows_expectation import (
    UnexpectedRowsExpectation,
)

DATASOURCE_TYPE = "asn_duckdb"


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """One persisted connection per engine, so query results outlive ``execute_query``."""

    @contextmanager
    def get_connection(self) -> Iterator:  # type: ignore[override]
        if not self._connection:
            self._connection = self.engine.connect()
        yield self._connection

    def close(self) -> None:
        """Close the persisted connection and the pool (DuckDB locks the file while open)."""
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
        self.engine.dispose()


class DuckDBDatasource(SQLDatasource):
    """``context.data_sources.add_asn_duckdb(name, connection_string="duckdb:///<file>")``."""

    type: Literal["asn_duckdb"] = "asn_duckdb"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine

    def dispose(self) -> None:
        """Release every connection this datasource opened (engine of the execution engine and
        the one GX made to test the connection when the datasource was added)."""
        engine = self._execution_engine
        if engine is not None:
            engine.close()
        if self._engine is not None:
            self._engine.dispose()


class ExpectNoUnexpectedRows(UnexpectedRowsExpectation):
    """``UnexpectedRowsExpectation`` that always reports a sample of the offending rows.

    The stock expectation returns its rows only with result_format COMPLETE, and the validation
    run's result_format (SUMMARY) overrides an expectation's own; COMPLETE for the whole run
    would make every column expectation return every unexpected value. Suite type name:
    ``expect_no_unexpected_rows``.
    """

    sample_size: ClassVar[int] = 5

    def _validate(self, metrics: dict, runtime_configuration=None, execution_engine=None):
        result = super()._validate(metrics, runtime_configuration, execution_engine)
        if isinstance(result, dict) and "result" in result:
            rows = metrics.get("unexpected_rows_query.table") or []
            details = result["result"].setdefault("details", {})
            details.setdefault("unexpected_rows", list(rows[: self.sample_size]))
        return result
