"""API tokens (stored as SHA-256 of 256-bit random secrets), cookie sessions and who may see what.

A token is shown once, at creation; the store keeps only its hash. Hashing a high-entropy random
secret with SHA-256 is enough (no dictionary to attack, so no need for a slow KDF).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from ingestion.portal.errors import PortalError
from ingestion.portal.store import Store, now

TOKEN_PREFIX = "asnp_"
SESSION_COOKIE = "asn_portal_session"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an office (one instansi) or a BKN administrator (all instansi)."""

    token_id: str
    instansi_kode: str | None
    is_admin: bool
    label: str | None = None
    csrf: str | None = None  # set for cookie sessions only

    def can_see(self, instansi_kode: str) -> bool:
        return self.is_admin or self.instansi_kode == instansi_kode

    def require(self, instansi_kode: str) -> None:
        if not self.can_see(instansi_kode):
            raise PortalError("forbidden_instansi", own=self.instansi_kode, other=instansi_kode)

    @property
    def display(self) -> str:
        return "Administrator BKN" if self.is_admin else f"Instansi {self.instansi_kode}"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token_id: str
    secret: str
    instansi_kode: str | None
    is_admin: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    store: Store,
    instansi_kode: str | None,
    *,
    admin: bool = False,
    label: str | None = None,
    created_by: str | None = None,
) -> IssuedToken:
    if not admin and not instansi_kode:
        raise ValueError("an office token needs an instansi code")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = "tok_" + secrets.token_hex(6)
    store.insert(
        "tokens",
        {
            "token_id": token_id,
            "token_hash": _hash(secret),
            "instansi_kode": instansi_kode,
            "is_admin": int(admin),
            "label": label,
            "created_at": now(),
            "created_by": created_by,
        },
    )
    store.audit(
        "token_create",
        "ok",
        token_id=token_id,
        instansi_kode=instansi_kode,
        admin=admin,
        by=created_by,
    )
    return IssuedToken(token_id, secret, instansi_kode, admin)


def revoke_token(store: Store, token_id: str, *, by: str | None = None) -> bool:
    stamp = now()
    changed = store.run(
        "update tokens set revoked_at = ? where token_id = ? and revoked_at is null",
        (stamp, token_id),
    )
    if changed:
        store.run("delete from sessions where token_id = ?", (token_id,))
    store.audit("token_revoke", "ok" if changed else "unknown", token_id=token_id, by=by)
    return bool(changed)


def list_tokens(store: Store, instansi_kode: str | None = None) -> list[dict]:
    sql = (
        "select token_id, instansi_kode, is_admin, label, created_at, created_by, revoked_at,"
        " last_used_at from tokens"
    )
    if instansi_kode:
        return store.all(sql + " where instansi_kode = ? order by created_at", (instansi_kode,))
    return store.all(sql + " order by created_at")


def _principal(row: dict, csrf: str | None = None) -> Principal:
    return Principal(
        token_id=row["token_id"],
        instansi_kode=row["instansi_kode"],
        is_admin=bool(row["is_admin"]),
        label=row["label"],
        csrf=csrf,
    )


def _touch(store: Store, row: dict) -> None:
    """Record use at most once a minute (avoid a write per request)."""
    last = row.get("last_used_at")
    stamp = now()
    if not last or last[:16] != stamp[:16]:
        store.run("update tokens set last_used_at = ? where token_id = ?", (stamp, row["token_id"]))


def principal_from_secret(store: Store, secret: str | None) -> Principal | None:
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = store.one(
        "select * from tokens where token_hash = ? and revoked_at is null", (_hash(secret),)
    )
    if row is None or not hmac.compare_digest(row["token_hash"], _hash(secret)):
        return None
    _touch(store, row)
    return _principal(row)


def bearer_secret(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def open_session(store: Store, principal: Principal, ttl_s: int) -> str:
    cookie = secrets.token_urlsafe(32)
    created = dt.datetime.now(dt.UTC)
    store.insert(
        "sessions",
        {
            "session_hash": _hash(cookie),
            "token_id": principal.token_id,
            "csrf": secrets.token_urlsafe(24),
            "created_at": created.isoformat(timespec="seconds"),
            "expires_at": (created + dt.timedelta(seconds=ttl_s)).isoformat(timespec="seconds"),
        },
    )
    return cookie


def principal_from_session(store: Store, cookie: str | None) -> Principal | None:
    if not cookie or len(cookie) > 200:
        return None
    row = store.one(
        "select t.*, s.csrf as session_csrf, s.expires_at from sessions s"
        " join tokens t using (token_id)"
        " where s.session_hash = ? and t.revoked_at is null",
        (_hash(cookie),),
    )
    if row is None:
        return None
    if row["expires_at"] < dt.datetime.now(dt.UTC).isoformat(timespec="seconds"):
        store.run("delete from sessions where session_hash = ?", (_hash(cookie),))
        return None
    return _principal(row, csrf=row["session_csrf"])


def close_session(store: Store, cookie: str | None) -> None:
    if cookie:
        store.run("delete from sessions where session_hash = ?", (_hash(cookie),))


def check_csrf(principal: Principal, submitted: str | None) -> None:
    if not principal.csrf or not submitted or not hmac.compare_digest(principal.csrf, submitted):
        raise PortalError("csrf_failed")
