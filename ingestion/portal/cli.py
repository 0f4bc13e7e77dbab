"""`asn portal` (serve) and `asn portal-token create|revoke|list` (BKN administrators).

The lead mounts them with one line: `mount(app)` (or the two `add_typer` calls it makes).
`portal_app` alone also works: `asn portal` serves, `asn portal token ...` manages tokens.
"""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from ingestion.paths import DataPaths
from ingestion.portal.settings import PortalSettings

token_app = typer.Typer(help="Portal API tokens: create, revoke, list.", no_args_is_help=True)
portal_app = typer.Typer(
    help="Upload portal for regional offices (serves on 127.0.0.1).",
    invoke_without_command=True,
)
portal_app.add_typer(token_app, name="token")


def _settings() -> PortalSettings:
    """`ASN_DATA_DIR` as the rest of the CLI reads it (default `<repo>/data`)."""
    if not os.environ.get("ASN_DATA_DIR"):
        from ingestion.reference.paths import REPO_ROOT

        os.environ["ASN_DATA_DIR"] = str(REPO_ROOT / "data")
    return PortalSettings.from_env()


def _store():
    from ingestion.portal.store import Store

    return Store(_settings().db_path)


@portal_app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the upload portal (pages at /, API at /api/v1, OpenAPI at /api/v1/docs)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from ingestion.portal import create_app

    settings = _settings()
    DataPaths.at(settings.paths.root, settings.paths.warehouse).ensure()
    typer.echo(f"Portal: http://{host}:{port}/  (data: {settings.paths.root})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


@token_app.command("create")
def create(
    instansi: Annotated[
        str | None, typer.Option(help="Instansi code (from ref_instansi), e.g. 64.72 or K001.")
    ] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="BKN administrator: all instansi.")
    ] = False,
    label: Annotated[str | None, typer.Option(help="Who holds it (free text).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Issue a token; the secret is printed ONCE (only its SHA-256 is stored)."""
    from ingestion.portal.auth import create_token
    from ingestion.portal.registry import instansi_names

    if not admin and not instansi:
        raise typer.BadParameter("give --instansi KODE or --admin")
    if instansi and instansi not in instansi_names():
        raise typer.BadParameter(f"unknown instansi code {instansi!r} (see ref_instansi.csv)")
    issued = create_token(
        _store(), instansi, admin=admin, label=label, created_by=os.environ.get("USER")
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "token_id": issued.token_id,
                    "token": issued.secret,
                    "instansi_kode": instansi,
                    "is_admin": admin,
                }
            )
        )
        return
    typer.echo(f"token_id: {issued.token_id}")
    typer.echo(f"token:    {issued.secret}")
    typer.echo("Simpan token ini sekarang: token tidak dapat ditampilkan lagi.")


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="The token_id shown by create/list.")]):
    """Revoke a token at once (its sessions end too)."""
    from ingestion.portal.auth import revoke_token

    if not revoke_token(_store(), token_id, by=os.environ.get("USER")):
        typer.echo(f"no active token {token_id}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"revoked {token_id}")


@token_app.command("list")
def list_(
    instansi: Annotated[str | None, typer.Option(help="Only this instansi.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List tokens (never their secrets)."""
    from ingestion.portal.auth import list_tokens

    for row in list_tokens(_store(), instansi):
        if as_json:
            typer.echo(json.dumps(row))
        else:
            state = "revoked " + row["revoked_at"] if row["revoked_at"] else "active"
            who = "ADMIN" if row["is_admin"] else row["instansi_kode"]
            typer.echo(
                f"{row['token_id']}  {who:<8} {state:<10} {row['label'] or ''}"
                f"  last used {row['last_used_at'] or '-'}"
            )


def mount(app: typer.Typer) -> None:
    """`asn portal [--host --port]` and `asn portal-token create|revoke|list`."""
    app.add_typer(portal_app, name="portal")
    app.add_typer(token_app, name="portal-token")


__all__ = ["mount", "portal_app", "token_app"]
