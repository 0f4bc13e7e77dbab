"""Header handling: find the header row, map uploaded labels to canonical columns, pick the jenis.

Labels are compared as lowercase alphanumerics (`Tgl. Lahir` == `tgllahir`), through
`header_aliases.csv`; adding a spelling is a data change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingestion.catalog import JENIS, alnum_key, file_message, header_index, required_columns
from ingestion.results import FileRefused

#: A row is a header when at least this many of its cells are known aliases.
MIN_HEADER_MATCHES = 2
#: How far down a sheet (or a CSV) the header row may sit below a title block.
HEADER_SEARCH_ROWS = 30


def _all_keys() -> set[str]:
    return {k for j in JENIS for k in header_index()[j]}


def header_matches(cells: Sequence[object]) -> int:
    keys = _all_keys()
    return sum(1 for c in cells if c is not None and alnum_key(str(c)) in keys)


def find_header_row(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the first row in which several cells are known header aliases."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if header_matches(row) >= MIN_HEADER_MATCHES:
            return i
    return None


def merge_two_row_header(upper: Sequence[object], lower: Sequence[object]) -> list[str | None]:
    """Combine a header spread over two rows (merged cells): per column take the cell that is a
    known alias, preferring the lower row, else whatever text there is."""
    keys = _all_keys()
    merged: list[str | None] = []
    for a, b in zip(upper, lower, strict=False):
        sa = str(a).strip() if a is not None and str(a).strip() else None
        sb = str(b).strip() if b is not None and str(b).strip() else None
        if sb is not None and alnum_key(sb) in keys:
            merged.append(sb)
        elif sa is not None and alnum_key(sa) in keys:
            merged.append(sa)
        elif sa and sb:
            merged.append(f"{sa} {sb}")
        else:
            merged.append(sb or sa)
    return merged


def map_headers(labels: Sequence[str], jenis: str) -> dict[str, str]:
    """{uploaded label -> canonical column}; the first label wins when two map to one column."""
    index = header_index()[jenis]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for label in labels:
        canonical = index.get(alnum_key(label))
        if canonical and canonical not in taken:
            mapping[label] = canonical
            taken.add(canonical)
    return mapping


@dataclass(frozen=True, slots=True)
class HeaderFit:
    jenis: str
    mapping: dict[str, str]
    missing_required: tuple[str, ...]

    @property
    def score(self) -> tuple[float, int]:
        required = required_columns(self.jenis)
        covered = len(required) - len(self.missing_required)
        return (covered / len(required), len(self.mapping))


def fit(labels: Sequence[str], jenis: str) -> HeaderFit:
    mapping = map_headers(labels, jenis)
    present = set(mapping.values())
    missing = tuple(c for c in required_columns(jenis) if c not in present)
    return HeaderFit(jenis, mapping, missing)


def resolve_jenis(labels: Sequence[str], jenis: str | None, file_name: str) -> HeaderFit:
    """Pick the extract type and its header mapping, or refuse the file with one message.

    Without `jenis`: the type whose required columns are best covered. With `jenis`: that type,
    unless its required columns are missing, in which case the message says which type the
    headers look like (`bukan file <jenis>`) or which columns are missing.
    """
    fits = {j: fit(labels, j) for j in JENIS}
    best = max(fits.values(), key=lambda f: f.score)
    if jenis is None:
        if best.missing_required:
            if best.score[0] < 0.5:
                raise FileRefused(
                    "file_jenis_tidak_dikenal",
                    file_message("file_jenis_tidak_dikenal", file=file_name),
                )
            raise FileRefused(
                "file_kolom_wajib_hilang",
                file_message(
                    "file_kolom_wajib_hilang",
                    file=file_name,
                    jenis=best.jenis,
                    missing=", ".join(best.missing_required),
                ),
            )
        return best
    if jenis not in fits:
        raise ValueError(f"unknown jenis {jenis!r}")
    chosen = fits[jenis]
    if not chosen.missing_required:
        return chosen
    missing = ", ".join(chosen.missing_required)
    if best.jenis != jenis and best.score > chosen.score:
        raise FileRefused(
            "file_bukan_jenis",
            file_message(
                "file_bukan_jenis",
                file=file_name,
                jenis=jenis,
                detected=best.jenis,
                missing=missing,
            ),
        )
    raise FileRefused(
        "file_kolom_wajib_hilang",
        file_message("file_kolom_wajib_hilang", file=file_name, jenis=jenis, missing=missing),
    )
