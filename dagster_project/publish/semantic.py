"""The data dictionary shipped with every publication (``semantic.json`` and ``README.md``).

Built from the dbt manifest (model and column descriptions, grain tests, exposures) and from
what the publication did to each column (kept, pseudonymised, measure, dropped).
"""

from __future__ import annotations

from typing import Any

from dagster_project.publish.dbt_docs import MartDoc
from dagster_project.publish.privacy import (
    DROP,
    MEASURE,
    PSEUDONYMISE,
    SUPPRESSED_COLUMN,
    TablePlan,
)
from dagster_project.publish.settings import PublishSettings

_TREATMENT_TEXT = {
    PSEUDONYMISE: "pseudonym: HMAC-SHA256 of the warehouse key with ASN_PSEUDONYM_KEY (64 hex)",
    MEASURE: "measure: null when the row is suppressed",
    DROP: "not published (personal data)",
}


def semantic_document(
    version: str,
    published_at: str,
    plans: dict[str, TablePlan],
    docs: dict[str, MartDoc],
    row_counts: dict[str, int],
    suppressed: dict[str, int],
    settings: PublishSettings,
    published_types: dict[str, list[tuple[str, str]]],
) -> dict[str, Any]:
    k = settings.min_group_size
    tables: dict[str, Any] = {}
    for table, plan in plans.items():
        doc = docs.get(table)
        types = dict(published_types[table])
        columns = []
        for col in plan.published_columns():
            described = (doc.columns.get(col.name.lower()) or {}).get("description") if doc else ""
            columns.append(
                {
                    "name": col.name,
                    "data_type": types.get(col.name, col.data_type),
                    "treatment": col.treatment,
                    "description": described or "(not documented in dbt)",
                    "note": _TREATMENT_TEXT.get(col.treatment, ""),
                }
            )
        columns.append(
            {
                "name": SUPPRESSED_COLUMN,
                "data_type": "BOOLEAN",
                "treatment": "added",
                "description": (
                    f"True when {plan.group_size} < {k}: the measures of the row are null "
                    "to prevent re-identification."
                    if plan.group_size
                    else "Always false: this table has no headcount column to suppress on."
                ),
                "note": "added by the publication",
            }
        )
        tables[table] = {
            "description": (doc.description if doc else "") or "(not documented in dbt)",
            "documented_in_dbt": doc is not None,
            "dbt_unique_id": doc.unique_id if doc else None,
            "grain": doc.grain if doc else [],
            "tags": doc.tags if doc else [],
            "exposures": doc.exposures if doc else [],
            "row_count": row_counts[table],
            "suppressed_rows": suppressed[table],
            "group_size_column": plan.group_size,
            "person_level": plan.person_level,
            "dropped_columns": plan.by_treatment(DROP),
            "columns": columns,
            "parquet": f"parquet/{table}.parquet",
        }
    return {
        "publication": {
            "version": version,
            "published_at": published_at,
            "database": "asn_marts.duckdb",
            "min_group_size": k,
            "pseudonym_key_id": settings.key_id,
            "pseudonym_key_is_default": settings.key_is_default,
        },
        "privacy": {
            "pseudonyms": "Employee keys are HMAC-SHA256(ASN_PSEUDONYM_KEY, key): stable within "
            "publications sharing pseudonym_key_id, meaningless without the key.",
            "suppression": f"In tables with a group_size_column, rows whose group size is below "
            f"{k} have every measure nulled and suppressed = true. Sums over a published column "
            "therefore exclude suppressed groups.",
            "never_published": "names, NIP, NIK, birth place and date, address, contact data",
        },
        "tables": tables,
    }


def render_readme(semantic: dict[str, Any]) -> str:
    pub = semantic["publication"]
    lines = [
        f"# ASN marts, publication {pub['version']}",
        "",
        f"Published {pub['published_at']} (UTC). Open `asn_marts.duckdb` read-only or the Parquet "
        "files in `parquet/`. The same dictionary is in the table `_data_dictionary` and in "
        "`semantic.json`.",
        "",
        "## Privacy",
        "",
        *(f"- **{k}**: {v}" for k, v in semantic["privacy"].items()),
        f"- k (minimum group size): {pub['min_group_size']}; pseudonym key id "
        f"`{pub['pseudonym_key_id']}`"
        + (" (**DEMO KEY: not for real data**)" if pub["pseudonym_key_is_default"] else ""),
        "",
    ]
    for table, spec in semantic["tables"].items():
        lines += [f"## `{table}`", "", spec["description"], ""]
        facts = [f"{spec['row_count']} rows"]
        if spec["grain"]:
            facts.append("one row per " + ", ".join(f"`{g}`" for g in spec["grain"]))
        if spec["group_size_column"]:
            facts.append(
                f"group size `{spec['group_size_column']}`, "
                f"{spec['suppressed_rows']} rows suppressed"
            )
        if spec["person_level"]:
            facts.append("person-level (pseudonymous keys)")
        lines += ["; ".join(facts) + ".", ""]
        for exposure in spec["exposures"]:
            lines.append(f"Used by *{exposure.get('label') or exposure['name']}*: "
                         f"{exposure['description']}")  # fmt: skip
        if spec["exposures"]:
            lines.append("")
        lines += ["| column | type | meaning |", "| --- | --- | --- |"]
        for col in spec["columns"]:
            note = f" *({col['note']})*" if col["treatment"] in (PSEUDONYMISE, MEASURE) else ""
            text = (col["description"] + note).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{col['name']}` | {col['data_type']} | {text} |")
        lines.append("")
    return "\n".join(lines)
