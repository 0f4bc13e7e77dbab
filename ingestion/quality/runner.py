"""Great Expectations 1.x runner for one batch of raw rows.

Suites are versioned JSON files (`suites/<jenis>.json`) so a rule change is a reviewed data
change. Each expectation carries `meta.severity` (`blocking` or `warning`); the Dagster asset
check decides what a failed blocking expectation means for the run. GX has no polars engine, so
the batch goes through pandas (fine for one upload; not meant for millions of rows at once).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SEVERITIES = ("blocking", "warning")
SAMPLE_SIZE = 5


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    success: bool
    severity: str
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_sample: list[Any] = field(default_factory=list)
    description: str | None = None
    error: str | None = None
    order: int = 0  # position in the suite file


@dataclass(slots=True)
class BatchValidation:
    jenis: str
    suite_version: str
    success: bool  # every expectation passed
    blocking_success: bool  # every `blocking` expectation passed
    results: list[ExpectationOutcome]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]


@cache
def load_suite(jenis: str) -> dict[str, Any]:
    path = SUITES_DIR / f"{jenis}.json"
    if not path.exists():
        raise ValueError(f"no expectation suite for jenis {jenis!r} ({path})")
    suite = json.loads(path.read_text(encoding="utf-8"))
    for exp in suite["expectations"]:
        severity = exp.get("meta", {}).get("severity")
        if severity not in SEVERITIES:
            raise ValueError(f"{path.name}: {exp['type']} needs meta.severity in {SEVERITIES}")
    return suite


def _parameters(suite: dict[str, Any], today: dt.date):
    """Suite parameters as GX wants them: `$today` and ISO dates become pandas Timestamps."""
    import pandas as pd

    out: dict[str, Any] = {}
    for key, value in suite.get("parameters", {}).items():
        if value == "$today":
            out[key] = pd.Timestamp(today)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            out[key] = pd.Timestamp(value)
        else:
            out[key] = value
    return out


def _to_pandas(frame: pl.DataFrame):
    """Dates as datetime64 (GX compares them with Timestamps), decimals as floats."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).cast(pl.Datetime("ms")))
        elif isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Float64))
    return (frame.with_columns(casts) if casts else frame).to_pandas()


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN from pandas nulls
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def validate_batch(
    frame: pl.DataFrame, jenis: str, *, today: dt.date | None = None
) -> BatchValidation:
    """Run the suite of `jenis` on one batch (a polars frame of canonical columns)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    suite_def = load_suite(jenis)
    today = today or dt.date.today()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    name = f"{jenis}-{uuid.uuid4().hex[:8]}"
    batch_definition = (
        context.data_sources.add_pandas(name)
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe(name)
    )
    expectations = [
        ExpectationConfiguration(
            type=e["type"], kwargs=e["kwargs"], meta={**e.get("meta", {}), "order": i}
        ).to_domain_obj()
        for i, e in enumerate(suite_def["expectations"])
    ]
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    run = definition.run(
        batch_parameters={"dataframe": _to_pandas(frame)},
        expectation_parameters=_parameters(suite_def, today),
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
    )
    outcomes: list[ExpectationOutcome] = []
    for r in run.results:
        config = r.expectation_config
        meta = config.meta or {}
        result = dict(r.result or {})
        error = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            error = r.exception_info.get("exception_message")
        else:
            for info in (r.exception_info or {}).values():
                if isinstance(info, dict) and info.get("raised_exception"):
                    error = info.get("exception_message")
        sample = [_jsonable(v) for v in result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]]
        outcomes.append(
            ExpectationOutcome(
                expectation_type=config.type,
                column=config.kwargs.get("column") or config.kwargs.get("column_list"),
                success=bool(r.success),
                severity=meta.get("severity", "blocking"),
                observed_value=_jsonable(result.get("observed_value")),
                unexpected_count=result.get("unexpected_count"),
                unexpected_sample=sample,
                description=meta.get("description"),
                error=error,
                order=int(meta.get("order", 0)),
            )
        )
    outcomes.sort(key=lambda o: o.order)
    return BatchValidation(
        jenis=jenis,
        suite_version=str(suite_def.get("version", "")),
        success=all(o.success for o in outcomes),
        blocking_success=all(o.success for o in outcomes if o.severity == "blocking"),
        results=outcomes,
    )
