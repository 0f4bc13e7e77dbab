"""NIP (Nomor Induk Pegawai) serials that are unique nationwide in bounded memory.

A NIP is a prefix made of facts about the employee (birth date, TMT CPNS or PPPK intake,
gender) plus a 3-digit serial. Uniqueness only needs a counter per prefix: the prefixes
are mapped to positions in fixed numpy arrays (lazily zero-filled pages, a few tens of MB
whatever the sample size), and each batch takes the next serials in order, so the result
is deterministic for a fixed processing order of instansi.
"""

from __future__ import annotations

import numpy as np

BIRTH_EPOCH = np.datetime64("1950-01-01", "D")
BIRTH_DAYS = 64 * 366  # births 1950..2013
TMT_EPOCH_MONTH = (1970 - 1970) * 12  # months since 1970-01 (numpy's month epoch)
TMT_MONTHS = 70 * 12  # TMT CPNS 1970..2039
PPPK_EPOCH_YEAR = 2015
PPPK_YEARS = 30
MAX_SERIAL = 999


class NipRegistry:
    """Serial counters for PNS and PPPK NIP prefixes."""

    def __init__(self) -> None:
        self._pns = np.zeros(BIRTH_DAYS * TMT_MONTHS * 2, dtype=np.uint16)
        self._pppk = np.zeros(BIRTH_DAYS * PPPK_YEARS * 9 * 2, dtype=np.uint16)

    @staticmethod
    def _take(counter: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Next serials for ``keys`` (in order of appearance within equal keys)."""
        n = keys.size
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
        rank = np.arange(n) - first
        serial_sorted = counter[sorted_keys].astype(np.int64) + rank + 1
        serial = np.empty(n, dtype=np.int64)
        serial[order] = serial_sorted
        unique, counts = np.unique(sorted_keys, return_counts=True)
        counter[unique] = np.minimum(counter[unique].astype(np.int64) + counts, 60_000)
        return serial

    def pns(self, birth: np.ndarray, tmt_month: np.ndarray, male: np.ndarray) -> np.ndarray:
        """Serials for PNS; shifts ``tmt_month`` (in place) one month back on overflow."""
        days = (birth - BIRTH_EPOCH).astype(np.int64)
        serial = np.zeros(birth.size, dtype=np.int64)
        todo = np.arange(birth.size)
        while todo.size:
            months = tmt_month[todo].astype(np.int64) - TMT_EPOCH_MONTH
            keys = (days[todo] * TMT_MONTHS + months) * 2 + (~male[todo]).astype(np.int64)
            got = self._take(self._pns, keys)
            ok = got <= MAX_SERIAL
            serial[todo[ok]] = got[ok]
            todo = todo[~ok]
            tmt_month[todo] -= 1
        return serial

    def pppk(
        self, birth: np.ndarray, year: np.ndarray, intake: np.ndarray, male: np.ndarray
    ) -> np.ndarray:
        """Serials for PPPK; moves to the next intake frequency (in place) on overflow."""
        days = (birth - BIRTH_EPOCH).astype(np.int64)
        serial = np.zeros(birth.size, dtype=np.int64)
        todo = np.arange(birth.size)
        while todo.size:
            keys = (
                (days[todo] * PPPK_YEARS + (year[todo] - PPPK_EPOCH_YEAR)) * 9 + (intake[todo] - 1)
            ) * 2 + (~male[todo]).astype(np.int64)
            got = self._take(self._pppk, keys)
            ok = got <= MAX_SERIAL
            serial[todo[ok]] = got[ok]
            todo = todo[~ok]
            intake[todo] = intake[todo] % 9 + 1
        return serial
