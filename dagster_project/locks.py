"""One writer at a time on the DuckDB warehouse, across every process.

DuckDB admits a single writing process per file. Dagster's run queue serialises the runs it
launches (tag ``asn/warehouse=writer``, limit 1, see ``dagster.yaml``), but a CLI ingest or a
second ``dagster dev`` would not be queued; an advisory file lock beside the warehouse covers
them all. Holders wait (bounded) instead of failing on DuckDB's lock error.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT_S = float(os.environ.get("ASN_LOCK_TIMEOUT", "1800"))


class WarehouseLockTimeout(TimeoutError):
    """Another writer held the warehouse for longer than the timeout."""


@contextmanager
def warehouse_write_lock(
    warehouse: Path, timeout_s: float = DEFAULT_TIMEOUT_S, poll_s: float = 0.1
) -> Iterator[None]:
    lock_path = warehouse.with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    with open(lock_path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseLockTimeout(
                        f"waited {timeout_s:.0f} s for the warehouse write lock {lock_path}"
                    ) from None
                time.sleep(poll_s)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
