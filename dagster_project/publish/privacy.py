"""Privacy by default for everything that leaves the warehouse.

Per published column (first rule that matches wins; dbt ``meta`` overrides the conventions):

1. **dropped**: direct identifiers by name: NIP, NIK, names, titles, birth place and date,
   address, e-mail, phone, NPWP (``DIRECT_IDENTIFIERS`` and any name containing ``lahir`` /
   ``birth``). Model meta ``asn_publish: {drop: [...]}`` or column meta ``asn_publish: drop``.
2. **pseudonymised**: employee keys (``pegawai_key``, ``*_pegawai_key``, ``pegawai_id``,
   ``id_pegawai``, ``pns_id``) become ``HMAC-SHA256(ASN_PSEUDONYM_KEY, value)`` (64 hex
   characters), computed inside DuckDB. A ``uuid`` key (the warehouse stores its md5 surrogate
   keys as uuid) is HMACed as its 32-character md5 hex, the text form keys had before, so
   pseudonyms stay stable across publications. A table with such a column is *person-level*.
3. **measure**: in a table with a group-size (headcount) column, every numeric or boolean column
   that is not part of the grain nor a dimension attribute (``*_key``, ``*_kode``, ``*_id``,
   ``*_urutan``, ``tahun*``, ``periode*``, ``usia_min``/``usia_maks``, ``bulan*``). In a row whose
   group size is below k (``ASN_MIN_GROUP_SIZE``) every measure, the group size included, is
   nulled and ``suppressed`` is true. The row itself stays, so totals of the dimensions stay
   visible and a BI tool can show "suppressed".
4. **kept**: everything else (dimensions, labels, dates).

Group-size column of a mart: model meta ``asn_publish: {group_size: <column>}`` (``null`` turns
suppression off), else column meta ``asn_publish: headcount``, else the first present of
``ASN_HEADCOUNT_COLUMNS`` (default ``headcount, n_pegawai, jumlah_pegawai, jumlah_pensiun``).
A mart without one is not suppressed (its counts are not people: award tallies, rankings).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from dagster_project.publish.dbt_docs import MartDoc
from dagster_project.publish.settings import PublishSettings

DIRECT_IDENTIFIERS = frozenset(
    {
        "nip", "nip_lama", "nip_baru", "nik", "no_ktp", "nomor_ktp", "no_kk", "nomor_kk",
        "nama", "nama_lengkap", "nama_pegawai", "gelar_depan", "gelar_belakang",
        "tempat_lahir", "tanggal_lahir", "tgl_lahir", "alamat", "email", "no_hp", "nomor_hp",
        "telepon", "no_telepon", "npwp", "no_bpjs", "no_karpeg",
    }
)  # fmt: skip
BIRTH_NAME = re.compile(r"lahir|birth|(^|_)dob($|_)")
PSEUDONYM_NAME = re.compile(r"^(pegawai_key|.+_pegawai_key|pegawai_id|id_pegawai|pns_id)$")
DIMENSION_NAME = re.compile(r"(_key|_kode|_id|_urutan)$|^(tahun|periode|bulan)|^usia_(min|maks)$")
NUMERIC_TYPE = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|"
    r"DECIMAL|DOUBLE|FLOAT|REAL|BOOLEAN)",
    re.IGNORECASE,
)
INTEGER_TYPE = re.compile(r"^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL)", re.IGNORECASE)
TEXT_TYPE = re.compile(r"^(VARCHAR|TEXT|STRING|CHAR)", re.IGNORECASE)
UUID_TYPE = re.compile(r"^UUID$", re.IGNORECASE)
DATE_TYPE = re.compile(r"^(DATE|TIMESTAMP)", re.IGNORECASE)
# 16 (NIK) to 18 (NIP) consecutive digits, alone or inside a longer text
ID_DIGITS_REGEX = r"(^|[^0-9])[0-9]{16,18}([^0-9]|$)"
# md5 / sha1 / sha256 hex keys can hold 16+ digit runs by chance: they are keys, not NIPs
HASH_LIKE_REGEX = r"^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$"
SUPPRESSED_COLUMN = "suppressed"

KEEP, DROP, PSEUDONYMISE, MEASURE = "kept", "dropped", "pseudonymised", "measure"


class PrivacyViolation(RuntimeError):
    """The publication would expose personal data; nothing was published."""

    def __init__(self, findings: list[str]):
        super().__init__("refusing to publish:\n  - " + "\n  - ".join(findings))
        self.findings = findings


@dataclass
class ColumnPlan:
    name: str
    data_type: str
    treatment: str
    reason: str

    @property
    def published(self) -> bool:
        return self.treatment != DROP


@dataclass
class TablePlan:
    table: str
    columns: list[ColumnPlan]
    group_size: str | None = None
    person_level: bool = False
    notes: list[str] = field(default_factory=list)

    def published_columns(self) -> list[ColumnPlan]:
        return [c for c in self.columns if c.published]

    def by_treatment(self, treatment: str) -> list[str]:
        return [c.name for c in self.columns if c.treatment == treatment]


def _lower_list(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value.lower()}
    return {str(v).lower() for v in value or []}


def plan_table(
    table: str,
    columns: list[tuple[str, str]],
    doc: MartDoc | None,
    settings: PublishSettings,
) -> TablePlan:
    """Decide, per column, what the publication does with it (see the module docstring)."""
    meta = doc.publish_meta if doc else {}
    col_meta = {
        name.lower(): str((doc.column_meta(name.lower()) if doc else {}).get("asn_publish", ""))
        for name, _ in columns
    }
    drop = _lower_list(meta.get("drop")) | {n for n, v in col_meta.items() if v == "drop"}
    pseudo = _lower_list(meta.get("pseudonymise")) | {
        n for n, v in col_meta.items() if v == "pseudonymise"
    }
    keep = _lower_list(meta.get("keep")) | {n for n, v in col_meta.items() if v == "keep"}
    measures = _lower_list(meta.get("measures")) | {
        n for n, v in col_meta.items() if v == "measure"
    }
    names = [n.lower() for n, _ in columns]

    # The group-size column
    if "group_size" in meta:
        group_size = str(meta["group_size"]).lower() if meta["group_size"] else None
    else:
        declared = [n for n, v in col_meta.items() if v == "headcount"]
        candidates = declared + [c for c in settings.headcount_columns if c in names]
        group_size = candidates[0] if candidates else None
    if group_size is not None and group_size not in names:
        raise ValueError(f"{table}: group-size column {group_size!r} does not exist")
    grain = set(doc.grain) if doc else set()

    plans: list[ColumnPlan] = []
    for name, data_type in columns:
        low = name.lower()
        if low in drop:
            plans.append(ColumnPlan(name, data_type, DROP, "dbt meta asn_publish drop"))
        elif low in pseudo or (low not in keep and PSEUDONYM_NAME.match(low)):
            plans.append(ColumnPlan(name, data_type, PSEUDONYMISE, "employee key: HMAC-SHA256"))
        elif low not in keep and (low in DIRECT_IDENTIFIERS or BIRTH_NAME.search(low)):
            plans.append(ColumnPlan(name, data_type, DROP, "direct identifier"))
        elif group_size is not None and (
            low == group_size
            or low in measures
            or (
                low not in keep
                and low not in grain
                and NUMERIC_TYPE.match(data_type)
                and not DIMENSION_NAME.search(low)
            )
        ):
            reason = "group size" if low == group_size else "measure of the group"
            plans.append(ColumnPlan(name, data_type, MEASURE, reason))
        else:
            plans.append(ColumnPlan(name, data_type, KEEP, "dimension or label"))
    plan = TablePlan(table=table, columns=plans, group_size=group_size)
    plan.person_level = bool(plan.by_treatment(PSEUDONYMISE))
    if SUPPRESSED_COLUMN in names:
        raise ValueError(f"{table}: a mart must not define its own {SUPPRESSED_COLUMN!r} column")
    return plan


def hmac_pads(key: str) -> tuple[str, str]:
    """Hex of (K xor ipad, K xor opad) for HMAC-SHA256 (RFC 2104) computed in SQL."""
    raw = key.encode("utf-8")
    if len(raw) > 64:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in raw).hex(), bytes(b ^ 0x5C for b in raw).hex()


def hmac_sql(expression: str, key: str, data_type: str | None = None) -> str:
    """SQL computing lower-hex HMAC-SHA256(key, CAST(expression AS VARCHAR)); NULL stays NULL.

    ``data_type`` UUID: the message is the key's 32-character hex without dashes (the md5 hex
    the surrogate keys were stored as before they became uuid), so the pseudonym is unchanged.
    """
    ipad, opad = hmac_pads(key)
    text = f"cast({expression} as varchar)"
    if data_type is not None and UUID_TYPE.match(data_type):
        text = f"replace({text}, '-', '')"
    inner = f"sha256(unhex('{ipad}') || encode({text}))"
    return (
        f"case when {expression} is null then null "
        f"else sha256(unhex('{opad}') || unhex({inner})) end"
    )


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_sql(plan: TablePlan, source: str, settings: PublishSettings) -> str:
    """The SELECT that turns a warehouse mart into its published form."""
    k = int(settings.min_group_size)
    small = f"({quote(plan.group_size)} < {k})" if plan.group_size else None
    parts: list[str] = []
    for col in plan.published_columns():
        ident = quote(col.name)
        if col.treatment == PSEUDONYMISE:
            parts.append(f"{hmac_sql(ident, settings.pseudonym_key, col.data_type)} as {ident}")
        elif col.treatment == MEASURE and small:
            parts.append(f"case when {small} then null else {ident} end as {ident}")
        else:
            parts.append(ident)
    flag = f"coalesce({small}, false)" if small else "false"
    parts.append(f"{flag} as {SUPPRESSED_COLUMN}")
    return "select " + ", ".join(parts) + f" from {source}"


def scan_table(
    con: duckdb.DuckDBPyConnection,
    source: str,
    plan: TablePlan,
    names_table: str | None = None,
    birth_table: str | None = None,
) -> list[str]:
    """Findings of personal data in an already transformed table (empty list: clean)."""
    findings: list[str] = []
    cols = plan.published_columns()
    pseudonyms = [c.name for c in cols if c.treatment == PSEUDONYMISE]
    for col in cols:
        low, ident = col.name.lower(), quote(col.name)
        where = f"{plan.table}.{col.name}"
        if col.treatment != PSEUDONYMISE and (low in DIRECT_IDENTIFIERS or BIRTH_NAME.search(low)):
            findings.append(f"{where}: column name of a personal identifier")
        if col.treatment == PSEUDONYMISE:
            continue
        if TEXT_TYPE.match(col.data_type):
            (hits,) = con.execute(
                f"select count(*) from {source} where regexp_matches({ident}, '{ID_DIGITS_REGEX}') "
                f"and not regexp_full_match(lower({ident}), '{HASH_LIKE_REGEX}')"
            ).fetchone()
            if hits:
                findings.append(f"{where}: {hits} values look like a NIP (18) or NIK (16 digits)")
            if names_table:
                (hits,) = con.execute(
                    f"select count(*) from {source} where lower(trim({ident})) in "
                    f"(select nama from {names_table})"
                ).fetchone()
                if hits:
                    findings.append(f"{where}: {hits} values equal an employee's name")
        elif INTEGER_TYPE.match(col.data_type):
            (hits,) = con.execute(
                f"select count(*) from {source} where abs(try_cast({ident} as hugeint)) "
                "between 1000000000000000 and 999999999999999999"
            ).fetchone()
            if hits:
                findings.append(f"{where}: {hits} numbers of 16-18 digits (NIP/NIK-like)")
        elif DATE_TYPE.match(col.data_type) and plan.person_level and birth_table:
            for pseudo in pseudonyms:
                (hits,) = con.execute(
                    f"select count(*) from {source} t join {birth_table} b "
                    f"on t.{quote(pseudo)} = b.pseudonym "
                    f"and cast(t.{ident} as date) = b.tanggal_lahir"
                ).fetchone()
                if hits:
                    findings.append(f"{where}: {hits} values equal the employee's birth date")
    return findings
