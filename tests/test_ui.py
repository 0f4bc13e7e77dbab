"""`asn ui` (what `make ui` runs) serves the Dagster UI with the code location loaded.

Run as a user would: the venv's `asn`, not activated (its bin/ not on PATH), a fresh data
directory, then the UI's own GraphQL API over HTTP.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.request
from pathlib import Path

from dagster_project.deployment import process_group

_LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _wait_for_location(port: int, timeout_s: float) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    entries: list[dict] = []
    while time.monotonic() < deadline:
        try:
            entries = _graphql(port, _LOCATIONS)["data"]["workspaceOrError"]["locationEntries"]
            if entries and entries[0]["locationOrLoadError"] is not None:
                return entries
        except OSError:
            pass
        time.sleep(2)
    raise TimeoutError(f"the UI did not load a code location in {timeout_s:.0f} s: {entries}")


def test_asn_ui_loads_the_code_location_without_the_venv_on_path(tmp_path: Path) -> None:
    port = _free_port()
    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != bin_dir)
    env = dict(
        os.environ,
        PATH=path,
        ASN_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path / "data" / "dagster_home"),
    )
    asn = str(Path(sys.executable).with_name("asn"))
    with process_group([asn, "ui", "--port", str(port)], env, tmp_path / "ui.log", 60):
        (entry,) = _wait_for_location(port, 240)
        assert entry["name"] == "dagster_project.definitions"
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        jobs = _graphql(
            port,
            "{ repositoryOrError(repositorySelector: {repositoryLocationName: "
            '"dagster_project.definitions", repositoryName: "__repository__"}) '
            "{ ... on Repository { jobs { name } sensors { name } schedules { name } } } }",
        )["data"]["repositoryOrError"]
        assert {"landing_sensor", "run_failure_audit"} <= {s["name"] for s in jobs["sensors"]}
        assert jobs["schedules"], "the monthly and daily schedules are served"
    # a persistent DAGSTER_HOME under the data directory, with the run-queue settings
    assert (tmp_path / "data" / "dagster_home" / "dagster.yaml").exists()
