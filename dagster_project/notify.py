"""Pluggable notifications for pipeline failures.

Chosen by ``ASN_NOTIFIER``: ``log`` (default: the Dagster log only), ``file:/path/x.jsonl``
(one JSON object per line) or ``webhook:https://host/path`` (POST of the JSON object, e.g. to a
chat or incident tool). Add a class here to support another channel.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

logger = logging.getLogger("asn.notify")


@dataclass(frozen=True)
class FailureEvent:
    run_id: str
    job_name: str
    failed_at: str
    message: str
    partition: str | None = None


class Notifier(Protocol):
    def notify(self, event: FailureEvent) -> None: ...


class LogNotifier:
    def notify(self, event: FailureEvent) -> None:
        logger.error("run %s of %s failed: %s", event.run_id, event.job_name, event.message)


@dataclass
class FileNotifier:
    path: Path

    def notify(self, event: FailureEvent) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(event), ensure_ascii=False) + "\n")


@dataclass
class WebhookNotifier:
    url: str
    timeout_s: float = 10.0

    def notify(self, event: FailureEvent) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(asdict(event)).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            response.read()


def notifier_from_env(spec: str | None = None) -> Notifier:
    spec = spec if spec is not None else os.environ.get("ASN_NOTIFIER", "log")
    kind, _, target = spec.partition(":")
    if kind == "log" or not spec:
        return LogNotifier()
    if kind == "file" and target:
        return FileNotifier(Path(target))
    if kind == "webhook" and target:
        return WebhookNotifier(target)
    raise ValueError(f"ASN_NOTIFIER={spec!r}: expected log, file:/path or webhook:URL")
