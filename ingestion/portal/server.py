"""Run the portal on a free localhost port in a background thread (tests and benchmark)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from ingestion.portal.settings import PortalSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(settings: PortalSettings, *, log_level: str = "warning") -> Iterator[str]:
    """Yield the base URL of a live uvicorn server; stop it on exit."""
    from ingestion.portal import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level=log_level,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=512,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"portal-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("portal server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
