"""The portal's own SQLite file (WAL): tokens, sessions, uploads seen by the portal, audit log.

One short-lived connection per operation: SQLite connections are cheap, WAL lets readers run
beside the single writer, and no Python lock is held while files are parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
create table if not exists tokens (
    token_id text primary key,
    token_hash text not null unique,
    instansi_kode text,
    is_admin integer not null default 0,
    label text,
    created_at text not null,
    created_by text,
    revoked_at text,
    last_used_at text
);
create table if not exists sessions (
    session_hash text primary key,
    token_id text not null references tokens(token_id),
    csrf text not null,
    created_at text not null,
    expires_at text not null
);
create table if not exists uploads (
    ref text primary key,
    upload_id text,
    token_id text not null,
    instansi_kode text not null,
    periode text not null,
    jenis text,
    original_name text,
    stored_path text,
    size_bytes integer,
    sha256 text,
    file_format text,
    status text not null,
    error_code text,
    error text,
    rows_read integer,
    rows_accepted integer,
    rows_rejected integer,
    rejections blob,
    duplicate_of text,
    received_at text not null,
    checked_at text,
    check_ms integer
);
create index if not exists uploads_instansi on uploads(instansi_kode, received_at);
create index if not exists uploads_upload_id on uploads(upload_id);
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,
    token_id text,
    instansi_kode text,
    action text not null,
    outcome text not null,
    code text,
    ref text,
    client text,
    detail text
);
create index if not exists audit_log_at on audit_log(at);
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def pack(rows: list[dict[str, Any]]) -> bytes:
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 6)


def unpack(blob: bytes | None) -> list[dict[str, Any]]:
    return json.loads(zlib.decompress(blob).decode("utf-8")) if blob else []


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            con.execute("pragma journal_mode=wal")
            con.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("pragma busy_timeout=30000")
        con.execute("pragma synchronous=normal")
        try:
            yield con
        finally:
            con.close()

    def one(self, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
        with self.connect() as con:
            row = con.execute(sql, params).fetchone()
        return dict(row) if row else None

    def all(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        with self.connect() as con:
            return [dict(r) for r in con.execute(sql, params).fetchall()]

    def run(self, sql: str, params: tuple | dict = ()) -> int:
        with self.connect() as con:
            return con.execute(sql, params).rowcount

    def insert(self, table: str, row: dict[str, Any]) -> None:
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        self.run(f"insert into {table} ({cols}) values ({marks})", row)

    def update(self, table: str, key: str, value: object, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        self.run(f"update {table} set {sets} where {key} = :__key", {**changes, "__key": value})

    def audit(
        self,
        action: str,
        outcome: str,
        *,
        token_id: str | None = None,
        instansi_kode: str | None = None,
        code: str | None = None,
        ref: str | None = None,
        client: str | None = None,
        **detail: object,
    ) -> None:
        """Append one line to the audit log: who did what, when, from where, with what result."""
        self.insert(
            "audit_log",
            {
                "at": now(),
                "token_id": token_id,
                "instansi_kode": instansi_kode,
                "action": action,
                "outcome": outcome,
                "code": code,
                "ref": ref,
                "client": client,
                "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            },
        )
