"""Upload portal for regional offices: authenticated uploads, instant checks, status, feedback.

`create_app(settings)` builds the FastAPI app; `cli.portal_app` is the typer sub-app the `asn`
CLI mounts (`asn portal`, `asn portal-token ...`).
"""

from ingestion.portal.settings import PortalSettings

__all__ = ["PortalSettings", "create_app"]


def create_app(settings: PortalSettings | None = None):
    from ingestion.portal.app import create_app as _create

    return _create(settings)
