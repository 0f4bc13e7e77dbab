"""Great Expectations suites (versioned JSON), the DuckDB-backed runner and the upload gate."""

from ingestion.quality.gate import UploadCheck, check_jenis, check_upload, latest_results
from ingestion.quality.runner import (
    BatchValidation,
    ExpectationOutcome,
    load_suite,
    validate_batch,
    validate_parquet,
)

__all__ = [
    "BatchValidation",
    "ExpectationOutcome",
    "UploadCheck",
    "check_jenis",
    "check_upload",
    "latest_results",
    "load_suite",
    "validate_batch",
    "validate_parquet",
]
