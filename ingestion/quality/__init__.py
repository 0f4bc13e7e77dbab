"""Great Expectations suites (versioned JSON) and the runner used by the Dagster asset checks."""

from ingestion.quality.runner import BatchValidation, ExpectationOutcome, load_suite, validate_batch

__all__ = ["BatchValidation", "ExpectationOutcome", "load_suite", "validate_batch"]
