"""Configuration of the publication, from environment variables with documented defaults.

| variable | default | meaning |
| --- | --- | --- |
| ``ASN_PSEUDONYM_KEY`` | a demo key (warned about loudly) | secret of the HMAC-SHA256 pseudonyms |
| ``ASN_MIN_GROUP_SIZE`` | ``5`` | k: group rows with a headcount below k are suppressed |
| ``ASN_PUBLISH_KEEP`` | ``3`` | publications kept on disk (the current one included) |
| ``ASN_HEADCOUNT_COLUMNS`` | ``headcount,n_pegawai,jumlah_pegawai,jumlah_pensiun`` | group-size |
|   |   | column names, by priority |
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import warnings
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Demo only: anyone who knows it can recompute the pseudonym of a known NIP / pegawai_key.
DEMO_PSEUDONYM_KEY = "asn-demo-pseudonym-key-NOT-SECRET-set-ASN_PSEUDONYM_KEY"
DEFAULT_MIN_GROUP_SIZE = 5
DEFAULT_KEEP = 3
DEFAULT_HEADCOUNT_COLUMNS = ("headcount", "n_pegawai", "jumlah_pegawai", "jumlah_pensiun")


class DefaultPseudonymKeyWarning(UserWarning):
    """The pseudonyms are computed with the public demo key."""


@dataclass(frozen=True)
class PublishSettings:
    pseudonym_key: str = field(repr=False)
    key_is_default: bool = False
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    keep_versions: int = DEFAULT_KEEP
    headcount_columns: tuple[str, ...] = DEFAULT_HEADCOUNT_COLUMNS

    def __post_init__(self) -> None:
        if not self.pseudonym_key:
            raise ValueError("the pseudonym key must not be empty")
        if self.min_group_size < 1:
            raise ValueError("ASN_MIN_GROUP_SIZE must be >= 1")
        if self.keep_versions < 2:
            # The version just replaced stays on disk for readers that still hold it open.
            raise ValueError("ASN_PUBLISH_KEEP must be >= 2")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PublishSettings:
        env = dict(os.environ if env is None else env)
        key = env.get("ASN_PSEUDONYM_KEY", "")
        is_default = not key
        if is_default:
            key = DEMO_PSEUDONYM_KEY
            message = (
                "ASN_PSEUDONYM_KEY is not set: published pseudonyms use the PUBLIC DEMO KEY and "
                "can be reversed by anyone who knows an employee's key. Set a secret "
                "ASN_PSEUDONYM_KEY before publishing real data."
            )
            log.warning(message)
            warnings.warn(message, DefaultPseudonymKeyWarning, stacklevel=2)
        columns = tuple(
            c.strip().lower()
            for c in env.get("ASN_HEADCOUNT_COLUMNS", ",".join(DEFAULT_HEADCOUNT_COLUMNS)).split(
                ","
            )
            if c.strip()
        )
        return cls(
            pseudonym_key=key,
            key_is_default=is_default,
            min_group_size=int(env.get("ASN_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE)),
            keep_versions=int(env.get("ASN_PUBLISH_KEEP", DEFAULT_KEEP)),
            headcount_columns=columns,
        )

    @property
    def key_id(self) -> str:
        """A short public fingerprint of the key: equal ids mean comparable pseudonyms."""
        digest = hmac.new(self.pseudonym_key.encode(), b"asn-key-id", hashlib.sha256)
        return digest.hexdigest()[:12]
