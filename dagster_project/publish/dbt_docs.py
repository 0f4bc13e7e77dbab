"""What the dbt project says about the marts: descriptions, column meanings, grain, exposures.

Read from ``dbt/target/manifest.json`` (prepared by ``make manifest`` / the CLI). A mart that
exists in the warehouse but not in the manifest is still published, documented as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARTS_SCHEMA = "marts"


@dataclass
class MartDoc:
    name: str
    description: str = ""
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    grain: list[str] = field(default_factory=list)
    exposures: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # model ``meta`` (config.meta merged over meta); ``asn_publish`` steers the publication
    meta: dict[str, Any] = field(default_factory=dict)
    unique_id: str | None = None

    @property
    def publish_meta(self) -> dict[str, Any]:
        value = self.meta.get("asn_publish") or {}
        return value if isinstance(value, dict) else {}

    def column_meta(self, column: str) -> dict[str, Any]:
        col = self.columns.get(column) or {}
        merged = {**(col.get("meta") or {}), **((col.get("config") or {}).get("meta") or {})}
        return merged


def load_mart_docs(manifest_path: Path | str | None) -> dict[str, MartDoc]:
    """Every model of schema ``marts`` in the manifest, by name (empty when no manifest)."""
    if manifest_path is None or not Path(manifest_path).exists():
        return {}
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    nodes: dict[str, dict[str, Any]] = manifest.get("nodes", {})
    docs: dict[str, MartDoc] = {}
    by_id: dict[str, MartDoc] = {}
    for uid, node in nodes.items():
        if node.get("resource_type") != "model":
            continue
        schema = (node.get("config") or {}).get("schema") or node.get("schema")
        if schema != MARTS_SCHEMA:
            continue
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        doc = MartDoc(
            name=node.get("alias") or node["name"],
            description=(node.get("description") or "").strip(),
            columns={
                name.lower(): {
                    "description": (col.get("description") or "").strip(),
                    "data_type": col.get("data_type"),
                    "meta": col.get("meta") or {},
                    "config": col.get("config") or {},
                }
                for name, col in (node.get("columns") or {}).items()
            },
            tags=list(node.get("tags") or []),
            meta=meta,
            unique_id=uid,
        )
        docs[doc.name] = doc
        by_id[uid] = doc
    for node in nodes.values():
        if node.get("resource_type") != "test":
            continue
        target = by_id.get(node.get("attached_node") or "")
        test = node.get("test_metadata") or {}
        if target is None or target.grain:
            continue
        kwargs = test.get("kwargs") or {}
        kwargs = {**kwargs, **(kwargs.get("arguments") or {})}
        if test.get("name") == "unique_combination_of_columns":
            target.grain = [c.lower() for c in kwargs.get("combination_of_columns") or []]
        elif test.get("name") == "unique" and node.get("column_name"):
            target.grain = [node["column_name"].lower()]
    for exposure in (manifest.get("exposures") or {}).values():
        for uid in (exposure.get("depends_on") or {}).get("nodes") or []:
            if uid in by_id:
                by_id[uid].exposures.append(
                    {
                        "name": exposure.get("name"),
                        "label": exposure.get("label"),
                        "type": exposure.get("type"),
                        "maturity": exposure.get("maturity"),
                        "description": (exposure.get("description") or "").strip(),
                        "owner": exposure.get("owner") or {},
                    }
                )
    return docs
