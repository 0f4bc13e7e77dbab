"""Publication of the marts for BI tools: a read-only DuckDB snapshot and Parquet files swapped
in atomically, privacy by default, a data dictionary and the national report.

Library code (no Dagster): the assets are in ``dagster_project/defs/assets/publish.py``.
Recipes for BI tools: ``README.md`` in this folder.
"""

from dagster_project.publish.privacy import PrivacyViolation
from dagster_project.publish.publisher import (
    NothingToPublish,
    Publication,
    current_version,
    list_versions,
    publish,
    stable_database,
)
from dagster_project.publish.settings import PublishSettings

__all__ = [
    "NothingToPublish",
    "PrivacyViolation",
    "Publication",
    "PublishSettings",
    "current_version",
    "list_versions",
    "publish",
    "stable_database",
]
