"""Schemathesis against the portal's OpenAPI schema, over real HTTP, bounded in time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ingestion.portal.server import running
from ingestion.portal.store import Store
from ingestion.portal.testing import settings_for, tokens

pytestmark = pytest.mark.timeout(120)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_conforms_to_its_openapi_schema(tmp_path) -> None:
    portal_settings = settings_for(tmp_path)
    office, _, _ = tokens(Store(portal_settings.db_path))
    with running(portal_settings) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.label for op in operations} >= {
            "GET /api/v1/me",
            "POST /api/v1/uploads",
            "GET /api/v1/uploads",
            "GET /api/v1/uploads/{ref}",
        }
        for auth in ({"Authorization": f"Bearer {office}"}, {}):
            for operation in operations:
                _fuzz(operation, base, auth)
    seen = Store(portal_settings.db_path).all("select action, outcome from audit_log")
    assert sum(r["action"] == "upload" for r in seen) >= 5  # uploads really were attempted
    assert any(r["outcome"] == "refused" and r["action"] == "auth" for r in seen)


def _fuzz(operation, base: str, headers: dict[str, str]) -> None:
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case) -> None:
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)

    check()
