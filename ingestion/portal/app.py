"""FastAPI application: server-rendered pages (cookie session) and the JSON API (bearer token).

`create_app(settings)` builds one app; `uvicorn` serves it with its thread pool. Routes stay thin:
validation, receiving, checking and reading back live in service.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ingestion.catalog import JENIS
from ingestion.portal import auth
from ingestion.portal.errors import PortalError
from ingestion.portal.models import (
    ErrorOut,
    UploadDetailOut,
    UploadListOut,
    UploadOut,
    WhoAmI,
)
from ingestion.portal.registry import instansi_name, instansi_names
from ingestion.portal.service import Portal, resolve_instansi, validate_jenis, validate_periode
from ingestion.portal.settings import MB, PortalSettings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
API = "/api/v1"
PERIODE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_SMALL_BODY = 64 * 1024
_UPLOAD_PATHS = {"/upload", f"{API}/uploads"}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        c: {"model": ErrorOut, "description": "Refusal: English `code`, Indonesian `message`."}
        for c in codes
    }


class LoginRequired(Exception):
    pass


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _portal(request: Request) -> Portal:
    return request.app.state.portal


def api_principal(request: Request) -> auth.Principal:
    portal = _portal(request)
    secret = auth.bearer_secret(request.headers.get("authorization"))
    principal = auth.principal_from_secret(portal.store, secret)
    if principal is None:
        portal.store.audit(
            "auth",
            "refused",
            code="unauthenticated",
            client=_client(request),
            path=request.url.path,
        )
        raise PortalError("unauthenticated")
    return principal


def web_principal(request: Request) -> auth.Principal:
    portal = _portal(request)
    principal = auth.principal_from_session(portal.store, request.cookies.get(auth.SESSION_COOKIE))
    if principal is None:
        raise LoginRequired
    return principal


ApiUser = Annotated[auth.Principal, Depends(api_principal)]
WebUser = Annotated[auth.Principal, Depends(web_principal)]


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings.from_env()
    app = FastAPI(
        title="Portal Unggah Data ASN",
        version="1",
        description=(
            "Upload portal for regional personnel offices. Authenticate with "
            "`Authorization: Bearer <token>` (tokens are issued by BKN administrators with "
            "`asn portal-token create`). Every refusal carries an English `code` and a message in "
            "Bahasa Indonesia. Uploaded files are checked at once (dry run of the ingestion "
            "library) and, when usable, placed in the landing area the pipeline watches."
        ),
        docs_url=f"{API}/docs",
        redoc_url=None,
        openapi_url=f"{API}/openapi.json",
    )
    app.state.portal = Portal(settings)
    _install_middleware(app)
    _install_handlers(app)
    _web_routes(app)
    _api_routes(app)
    return app


# ----------------------------------------------------------------------------- plumbing


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next):
        if request.url.path not in _UPLOAD_PATHS:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > _SMALL_BODY:
                return _json_error(PortalError("request_too_large"))
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _json_error(err: PortalError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
    ref = err.params.get("ref")
    body = ErrorOut(code=err.code, message=err.message, ref=str(ref) if ref else None)
    return JSONResponse(body.model_dump(), status_code=err.status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(PortalError)
    async def portal_error(request: Request, err: PortalError):
        if request.url.path.startswith(API):
            return _json_error(err)
        return TEMPLATES.TemplateResponse(
            request, "error.html", {"error": err, "user": None}, status_code=err.status
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
        body = ErrorOut(
            code="invalid_request",
            message=f"Permintaan tidak valid pada: {where}.",
        )
        return JSONResponse(body.model_dump(), status_code=422)


def _cookie(response: Response, value: str, settings: PortalSettings) -> None:
    response.set_cookie(
        auth.SESSION_COOKIE,
        value,
        max_age=settings.session_ttl_s,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def _page(request: Request, name: str, user: auth.Principal | None, status: int = 200, **ctx):
    ctx |= {"user": user, "instansi_name": instansi_name, "jenis_list": JENIS}
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)


def _api_links(item: dict) -> dict[str, str]:
    links = {"self": f"{API}/uploads/{item['ref']}", "page": f"/uploads/{item['ref']}"}
    for ext in item.get("feedback", {}):
        links[f"feedback_{ext}"] = f"{API}/uploads/{item['ref']}/feedback.{ext}"
    return links


def _upload_out(item: dict) -> dict:
    return {**item, "links": _api_links(item)}


def _feedback_response(portal: Portal, principal: auth.Principal, ref: str, fmt: str) -> Response:
    if fmt not in {"html", "xlsx"}:
        raise PortalError("not_found")
    row = portal.get(principal, ref)
    item = portal.enrich([row])[0]
    path = item["feedback"].get(fmt)
    if path is None:
        raise PortalError("feedback_not_ready")
    portal.store.audit(
        "feedback_download",
        "ok",
        token_id=principal.token_id,
        instansi_kode=row["instansi_kode"],
        ref=ref,
        format=fmt,
    )
    name = f"umpan_balik_{row['instansi_kode']}_{row['periode']}_{row['ref']}.{fmt}"
    response = FileResponse(path, filename=name)
    if fmt == "html":  # produced elsewhere: shown without scripts, isolated from the portal
        response.headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return response


# ---------------------------------------------------------------------------------- web


def _web_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def home(request: Request):
        portal = _portal(request)
        signed_in = auth.principal_from_session(
            portal.store, request.cookies.get(auth.SESSION_COOKIE)
        )
        return RedirectResponse("/upload" if signed_in else "/login", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/login", include_in_schema=False, response_class=HTMLResponse)
    def login_form(request: Request):
        return _page(request, "login.html", None)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request):
        portal = _portal(request)
        form = await _small_form(request)
        principal = auth.principal_from_secret(portal.store, form.get("token", "").strip())
        if principal is None:
            portal.store.audit("login", "refused", code="unauthenticated", client=_client(request))
            err = PortalError("unauthenticated")
            return _page(request, "login.html", None, status=401, error=err)
        cookie = await _run(
            auth.open_session, portal.store, principal, portal.settings.session_ttl_s
        )
        portal.store.audit(
            "login",
            "ok",
            token_id=principal.token_id,
            instansi_kode=principal.instansi_kode,
            client=_client(request),
        )
        response = RedirectResponse("/upload", status_code=303)
        _cookie(response, cookie, portal.settings)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, user: WebUser):
        form = await _small_form(request)
        auth.check_csrf(user, form.get("csrf", ""))
        portal = _portal(request)
        auth.close_session(portal.store, request.cookies.get(auth.SESSION_COOKIE))
        portal.store.audit("logout", "ok", token_id=user.token_id, client=_client(request))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    @app.get("/upload", include_in_schema=False, response_class=HTMLResponse)
    def upload_form(request: Request, user: WebUser):
        return _upload_page(request, user)

    def _upload_page(
        request: Request, user: auth.Principal, error: PortalError | None = None, status: int = 200
    ):
        portal = _portal(request)
        return _page(
            request,
            "upload.html",
            user,
            status=status,
            error=error,
            register=instansi_names() if user.is_admin else {},
            limit_mb=portal.settings.max_upload_bytes // MB,
        )

    @app.post("/upload", include_in_schema=False)
    async def upload(request: Request, user: WebUser):
        portal = _portal(request)
        try:
            row = await portal.upload(request, user, _client(request), csrf_from_form=True)
        except PortalError as err:
            if err.code == "csrf_failed":
                raise
            return _upload_page(request, user, err, status=err.status)
        return RedirectResponse(f"/uploads/{row['ref']}", status_code=303)

    @app.get("/uploads", include_in_schema=False, response_class=HTMLResponse)
    def history_page(
        request: Request,
        user: WebUser,
        instansi: Annotated[str | None, Query(max_length=40)] = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ):
        portal = _portal(request)
        rows, total = portal.history(user, instansi or None, limit=50, offset=(page - 1) * 50)
        return _page(
            request,
            "uploads.html",
            user,
            items=portal.enrich(rows),
            total=total,
            page=page,
            instansi=instansi or "",
        )

    @app.get("/uploads/{ref}", include_in_schema=False, response_class=HTMLResponse)
    def detail_page(request: Request, user: WebUser, offset: Annotated[int, Query(ge=0)] = 0):
        portal = _portal(request)
        row = portal.get(user, ref=request.path_params["ref"])
        limit = portal.settings.page_rejections
        rejections, total = portal.rejections(row, offset, limit)
        return _page(
            request,
            "detail.html",
            user,
            item=portal.enrich([row])[0],
            rejections=rejections,
            rejections_total=total,
            offset=offset,
            limit=limit,
        )

    @app.get("/uploads/{ref}/feedback.{fmt}", include_in_schema=False)
    def feedback_page(request: Request, user: WebUser, ref: str, fmt: str):
        return _feedback_response(_portal(request), user, ref, fmt)


async def _small_form(request: Request) -> dict[str, str]:
    """A urlencoded form of a few fields, read with a hard cap (chunked bodies included)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _SMALL_BODY:
            raise PortalError("request_too_large")
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {k: v[0] for k, v in fields.items() if v}


async def _run(func, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(func, *args)


# ---------------------------------------------------------------------------------- API

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV, XLSX or Parquet; the type is read from the "
                            "bytes, not from the name.",
                        }
                    },
                }
            }
        },
    }
}


def _api_routes(app: FastAPI) -> None:
    @app.get(f"{API}/me", response_model=WhoAmI, responses=_errors(401), tags=["auth"])
    def me(user: ApiUser) -> dict:
        """Who the bearer token belongs to."""
        return {
            "token_id": user.token_id,
            "instansi_kode": user.instansi_kode,
            "instansi_nama": instansi_name(user.instansi_kode),
            "is_admin": user.is_admin,
        }

    @app.post(
        f"{API}/uploads",
        status_code=201,
        response_model=UploadDetailOut,
        responses=_errors(400, 401, 403, 413, 415, 422),
        openapi_extra=_UPLOAD_BODY,
        tags=["uploads"],
    )
    async def create_upload(
        request: Request,
        user: ApiUser,
        periode: Annotated[
            str,
            Query(
                json_schema_extra={"pattern": PERIODE_PATTERN},
                description="YYYY-MM",
                examples=["2025-12"],
            ),
        ],
        jenis: Annotated[
            str | None,
            Query(max_length=20, description="pegawai, diklat, skp or hukdis (default: detect)"),
        ] = None,
        instansi_kode: Annotated[
            str | None,
            Query(
                max_length=40,
                description="Required for BKN administrators; offices may omit "
                "it (their own instansi) but not name another one.",
            ),
        ] = None,
    ) -> dict:
        """Upload one file (multipart field `file`); returns the verdict of the immediate check.

        `status` is `accepted` (landed for the pipeline; refused rows listed), `refused` (the
        whole file is unusable: `error`) or `duplicate` (the same file was already accepted).
        Transport-level refusals (too large, not CSV/XLSX/Parquet, zip bomb, another instansi)
        are HTTP errors with an `ErrorOut` body.
        """
        portal = _portal(request)
        try:
            target = {
                "instansi_kode": resolve_instansi(user, instansi_kode),
                "periode": validate_periode(periode),
                "jenis": validate_jenis(jenis),
            }
        except PortalError as err:
            portal.audit_refusal(
                user, _client(request), err, None, {"instansi_kode": instansi_kode}
            )
            raise
        row = await portal.upload(request, user, _client(request), target=target)
        return await _run(_detail, portal, row, 0, portal.settings.page_rejections)

    @app.get(
        f"{API}/uploads",
        response_model=UploadListOut,
        responses=_errors(401, 403, 422),
        tags=["uploads"],
    )
    def list_uploads(
        request: Request,
        user: ApiUser,
        instansi_kode: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict:
        """The caller's uploads, newest first (administrators: all, or one instansi)."""
        portal = _portal(request)
        rows, total = portal.history(user, instansi_kode, limit, offset)
        return {"items": [_upload_out(i) for i in portal.enrich(rows)], "total": total}

    @app.get(
        f"{API}/uploads/{{ref}}",
        response_model=UploadDetailOut,
        responses=_errors(401, 404, 422),
        tags=["uploads"],
    )
    def get_upload(
        request: Request,
        user: ApiUser,
        ref: str,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict:
        """One upload: verdict, refused rows (paged), pipeline status, data-quality results."""
        portal = _portal(request)
        return _detail(portal, portal.get(user, ref), offset, limit)

    @app.get(
        f"{API}/uploads/{{ref}}/feedback.{{fmt}}",
        responses={
            200: {
                "content": {"text/html": {}, "application/octet-stream": {}},
                "description": "The feedback report.",
            },
            **_errors(401, 404),
        },
        tags=["uploads"],
    )
    def get_feedback(request: Request, user: ApiUser, ref: str, fmt: str) -> Response:
        """The feedback report (`html` or `xlsx`) once the pipeline has produced it."""
        return _feedback_response(_portal(request), user, ref, fmt)


def _detail(portal: Portal, row: dict, offset: int, limit: int) -> dict:
    rejections, total = portal.rejections(row, offset, limit)
    item = _upload_out(portal.enrich([row])[0])
    return {
        **item,
        "rejections": rejections,
        "rejections_total": total,
        "rejections_offset": offset,
    }


__all__ = ["UploadOut", "create_app"]
