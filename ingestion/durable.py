"""Files that survive a power cut once the warehouse says they exist.

An upload's audit row is committed (DuckDB syncs its own log) only after its archive copy and
its raw Parquet are in place. Without an explicit sync, a crash of the machine right after that
commit could leave the row pointing at an empty or truncated file (ext4 and XFS write file
data back lazily; a rename is not a barrier for a new file). So: the bytes of a temp file are
synced before it is renamed into place, and the folder is synced after the rename.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: str | Path) -> None:
    """Write the file's data and size to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | Path) -> None:
    """Write a folder's entries (names created, renamed or removed in it) to disk."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def mkdir_durably(path: str | Path) -> None:
    """`mkdir -p` whose new folders are on disk when it returns: the entry of each folder it
    creates is synced in that folder's parent (a new file in a folder whose own entry is lost
    is lost with it)."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    path.mkdir(parents=True, exist_ok=True)
    for folder in reversed(missing):
        fsync_dir(folder.parent)


def replace_durably(tmp: str | Path, target: str | Path, *, synced: bool = False) -> None:
    """`os.replace(tmp, target)` that is on disk when it returns (`synced`: tmp's bytes are
    already, e.g. synced in a background thread)."""
    if not synced:
        fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(Path(target).parent)
