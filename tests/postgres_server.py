"""A throw-away PostgreSQL server for the tests: initdb into a temp folder, a Unix socket only.

The binaries are Debian's (`make postgres` installs them: the `postgresql` package). initdb
refuses to run as root, so as root the server runs as the package's `postgres` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "asn"


@dataclass(frozen=True)
class Postgres:
    socket_dir: Path

    def env(self, database: str) -> dict[str, str]:
        """libpq / dbt profile variables of `database`."""
        return {
            "PGHOST": str(self.socket_dir),
            "PGPORT": "5432",
            "PGUSER": USER,
            "PGPASSWORD": "",
            "PGDATABASE": database,
        }

    def dsn(self, database: str) -> str:
        return f"host={self.socket_dir} port=5432 user={USER} dbname={database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        con = psycopg2.connect(self.dsn("postgres"))
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'drop database if exists "{name}"')
                cur.execute(f'create database "{name}"')
        finally:
            con.close()


def bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())
        if (found / "initdb").exists():
            return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: run `make postgres`")
    return Path(candidates[-1]).parent


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    bin_dir = bindir()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    # not under pytest's tmp_path: the postgres user must be able to reach the folder
    root = Path(tempfile.mkdtemp(prefix="asn-pg-", dir="/tmp"))
    if as_root:
        shutil.chown(root, user="postgres")
    data = root / "data"
    options = (
        f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off"
    )
    try:
        initdb = ["-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-locale"]
        subprocess.run([*run_as, str(bin_dir / "initdb"), *initdb], check=True, capture_output=True)
        start = ["-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start"]
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), *start], check=True, capture_output=True)
        try:
            yield Postgres(root)
        finally:
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
