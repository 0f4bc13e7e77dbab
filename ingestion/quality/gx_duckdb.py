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

The execution engine is meant to be reused for many batches (``runner.GXSession``): it forgets
the metrics of the previous batch whenever a batch is loaded. GX keeps every resolved metric in
an engine-level cache keyed by batch id, and every batch of the same whole-table asset has the
same id; today GX only reads that cache as a fallback for dependencies a validation did not
compute itself, but nothing of one upload should be able to answer for the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Literal

from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.core.metric_function_types import MetricPartialFunctionTypes
from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.core.unexpected_rows_expectation import (
    UnexpectedRowsExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.query_metric_provider import (
    QueryMetricProvider,
    render_derived_table_alias,
)

DATASOURCE_TYPE = "asn_duckdb"


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """One persisted connection per engine, so query results outlive ``execute_query``."""

    @contextmanager
    def get_connection(self) -> Iterator:  # type: ignore[override]
        if not self._connection:
            self._connection = self.engine.connect()
        yield self._connection

    def execute_query(self, query):  # type: ignore[override]
        """A failed statement aborts DuckDB's transaction for every later one on the connection
        (GX only recovers from SQLAlchemy's PendingRollbackError): roll back, then re-raise, so
        one broken expectation fails alone instead of every metric after it, in this batch and
        the next ones on the same engine."""
        try:
            return super().execute_query(query)
        except sa.exc.DBAPIError:
            if self._connection is not None:
                self._connection.rollback()
            raise

    def get_batch_data_and_markers(self, batch_spec):  # type: ignore[override]
        """Loading a batch forgets the metrics computed on the previous one (the metric cache
        is keyed by batch id, and every load of the same whole-table asset has the same id)."""
        self._metric_cache.clear()
        return super().get_batch_data_and_markers(batch_spec)

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


SAMPLE_SIZE = 5
_COUNT_LABEL = "__asn_unexpected_row_count"


class UnexpectedRowsQuerySample(QueryMetricProvider):
    """Count and first rows of an ``unexpected_rows_query`` in ONE query.

    The stock expectation asks for two metrics, ``unexpected_rows_query.row_count`` and
    ``unexpected_rows_query.table``, i.e. runs its query twice; consistency rules join the batch
    to rule tables and dominate a large batch. Here the count is a window over the result and
    only ``SAMPLE_SIZE`` rows are fetched.
    """

    metric_name = "unexpected_rows_query.count_and_sample"
    value_keys = ("unexpected_rows_query",)
    query_param_name: ClassVar[str] = "unexpected_rows_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, Any]:
        batch_selectable, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        query = cls._get_substituted_batch_subquery_from_query_and_batch_selectable(
            query=cls._get_query_from_metric_value_kwargs(metric_value_kwargs),
            batch_selectable=batch_selectable,
            execution_engine=execution_engine,
        )
        unexpected = render_derived_table_alias(
            subquery=query,
            alias="unexpected_rows",
            dialect_name=execution_engine.dialect_name,
        )
        sql = f"SELECT *, COUNT(*) OVER () AS {_COUNT_LABEL} FROM {unexpected} LIMIT {SAMPLE_SIZE}"
        rows = [row._asdict() for row in execution_engine.execute_query(sa.text(sql)).fetchall()]
        count = int(rows[0][_COUNT_LABEL]) if rows else 0
        for row in rows:
            del row[_COUNT_LABEL]
        return {"count": count, "rows": rows}


class ExpectNoUnexpectedRows(UnexpectedRowsExpectation):
    """``UnexpectedRowsExpectation`` answered by one query that also keeps a sample of rows.

    The stock expectation runs its query twice (count, then rows) and returns the rows only
    with result_format COMPLETE, while the validation's result_format (SUMMARY) overrides an
    expectation's own; COMPLETE for the whole run would make every column expectation return
    every unexpected value. Same result shape as the stock expectation (``observed_value`` =
    number of unexpected rows), plus ``details.unexpected_rows`` (the first ``SAMPLE_SIZE``).
    Suite type name: ``expect_no_unexpected_rows``.
    """

    sample_size: ClassVar[int] = SAMPLE_SIZE
    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.count_and_sample",)

    def _validate(self, metrics: dict, runtime_configuration=None, execution_engine=None):
        summary = metrics["unexpected_rows_query.count_and_sample"]
        count = summary["count"]
        return {
            "success": count == 0,
            "result": {
                "observed_value": count,
                "details": {"unexpected_rows": list(summary["rows"][: self.sample_size])},
            },
        }


class DuckDBColumnValuesUnique(ColumnMapMetricProvider):
    """``column_values.unique`` (``expect_column_values_to_be_unique``) on this engine.

    Same meaning as GX's SQL provider: a non-null value is unexpected when it occurs more than
    once, and every copy counts. GX computes it with ``count(*) OVER (PARTITION BY column)``, a
    sort of the whole column that DuckDB runs about twice as slow as a hash aggregate; here the
    flag is ``column IN (values GROUP BY column HAVING count(*) > 1)``, projected next to the
    column in a subquery (a window-type condition, like GX's, so GX reads count and sample of
    unexpected values from that subquery). Registered for ``DuckDBExecutionEngine`` only:
    other engines keep GX's provider.
    """

    condition_metric_name = "column_values.unique"

    @column_condition_partial(
        engine=DuckDBExecutionEngine,
        partial_fn_type=MetricPartialFunctionTypes.WINDOW_CONDITION_FN,
    )
    def _duckdb(cls, column, _table, **kwargs):
        repeated = (
            sa.select(column)
            .select_from(_table)
            .where(column.is_not(None))
            .group_by(column)
            .having(sa.func.count() > 1)
        )
        source = (
            sa.select(column, column.in_(repeated).label("__asn_repeated"))
            .select_from(_table)
            .subquery("asn_unique_source")
        )
        return sa.not_(source.c["__asn_repeated"])
