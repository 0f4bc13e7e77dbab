"""A failed run is recorded in audit.run_failures (once) and reaches the configured notifier."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.sensors import run_failure_audit
from dagster_project.notify import FileNotifier, LogNotifier, WebhookNotifier, notifier_from_env


@dg.op
def _load_that_breaks() -> None:
    raise RuntimeError("disk full while writing raw/pegawai")


@dg.job(tags={"dagster/partition": "2026-11|K001"})
def _breaking_job() -> None:
    _load_that_breaks()


def _failed_run_context(
    instance: dg.DagsterInstance, warehouse: WarehouseResource
) -> dg.RunFailureSensorContext:
    result = _breaking_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return dg.build_run_status_sensor_context(
        sensor_name=run_failure_audit.name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"warehouse": warehouse},
    ).for_run_failure()


def test_failure_is_recorded_once_and_written_by_the_file_notifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts = tmp_path / "alerts.jsonl"
    monkeypatch.setenv("ASN_NOTIFIER", f"file:{alerts}")
    warehouse = WarehouseResource(data_dir=str(tmp_path / "data"))
    with dg.instance_for_test() as instance:
        context = _failed_run_context(instance, warehouse)
        run_failure_audit(context)
        run_failure_audit(context)  # the daemon may see the same failure again after a restart

    con = duckdb.connect(str(warehouse.paths().warehouse), read_only=True)
    rows = con.execute(
        "select run_id, job_name, partition_key, message from audit.run_failures"
    ).fetchall()
    con.close()
    assert len(rows) == 1
    run_id, job_name, partition, message = rows[0]
    assert (run_id, job_name, partition) == (
        context.dagster_run.run_id,
        "_breaking_job",
        "2026-11|K001",
    )
    assert "_load_that_breaks" in message

    sent = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    assert [event["run_id"] for event in sent] == [run_id, run_id]
    assert sent[0]["partition"] == "2026-11|K001"


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"content_type": self.headers["Content-Type"], "event": json.loads(body)}
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_notifier_posts_the_failure_to_a_real_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks/asn"
        monkeypatch.setenv("ASN_NOTIFIER", f"webhook:{url}")
        warehouse = WarehouseResource(data_dir=str(tmp_path / "data"))
        with dg.instance_for_test() as instance:
            context = _failed_run_context(instance, warehouse)
            run_failure_audit(context)
    finally:
        server.shutdown()
        server.server_close()
    (posted,) = _Collector.received
    assert posted["content_type"] == "application/json"
    assert posted["event"]["run_id"] == context.dagster_run.run_id
    assert posted["event"]["job_name"] == "_breaking_job"


def test_notifier_spec_is_parsed_or_refused(tmp_path: Path) -> None:
    assert isinstance(notifier_from_env("log"), LogNotifier)
    assert isinstance(notifier_from_env(""), LogNotifier)
    assert notifier_from_env(f"file:{tmp_path}/a.jsonl") == FileNotifier(tmp_path / "a.jsonl")
    assert notifier_from_env("webhook:http://x/y") == WebhookNotifier("http://x/y")
    for bad in ("file:", "webhook:", "slack:#ops"):
        with pytest.raises(ValueError, match="ASN_NOTIFIER"):
            notifier_from_env(bad)
