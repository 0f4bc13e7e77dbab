"""Split the requested number of employees over the instansi register.

About 77 % of ASN work for regional governments (domain notes: 76-78 %), the rest for
central instansi; within each group employees follow ``size_weight``. A multinomial draw
keeps small samples realistic: at 1,000 employees many instansi get nobody.
"""

from __future__ import annotations

import numpy as np

REGIONAL_SHARE = 0.77
REGIONAL_JENIS = ("provinsi", "kabupaten", "kota")


def allocate(
    total: int, jenis_instansi: list[str], size_weight: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Employees per instansi (same order as the inputs), summing to ``total``."""
    regional = np.isin(np.asarray(jenis_instansi), REGIONAL_JENIS)
    n_regional = int(rng.binomial(total, REGIONAL_SHARE))
    counts = np.zeros(size_weight.size, dtype=np.int64)
    for mask, n in ((regional, n_regional), (~regional, total - n_regional)):
        weights = size_weight[mask] / size_weight[mask].sum()
        counts[mask] = rng.multinomial(n, weights)
    return counts
