"""What a generation run wrote, for the CLI and for tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class GenerationSummary:
    """Counts of one run: files per jenis and format, rows per jenis, planted errors."""

    out_dir: str
    periode: str
    seed: int
    pegawai: int
    messy: float
    instansi: int = 0
    files: dict[str, dict[str, int]] = field(default_factory=dict)  # jenis -> format -> n
    rows: dict[str, int] = field(default_factory=dict)  # jenis -> data rows written
    planted_errors: int = 0

    def add_file(self, jenis: str, fmt: str, rows: int) -> None:
        per_format = self.files.setdefault(jenis, {})
        per_format[fmt] = per_format.get(fmt, 0) + 1
        self.rows[jenis] = self.rows.get(jenis, 0) + rows

    @property
    def total_files(self) -> int:
        return sum(sum(v.values()) for v in self.files.values())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready counts; the output folder is left out so the file is reproducible."""
        data = asdict(self) | {"total_files": self.total_files}
        data.pop("out_dir")
        return data

    def __str__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return (
            f"{self.total_files:,} files for {self.instansi:,} instansi ({rows}; "
            f"{self.planted_errors:,} planted errors)"
        )
