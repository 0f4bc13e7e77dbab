"""Deterministic pegawai extracts for the portal's tests and benchmark (valid or messy)."""

from __future__ import annotations

import datetime as dt
import io

HEADER = (
    "NIP Baru;Nama Lengkap;Tgl. Lahir;jenis_kelamin;status_pegawai;kedudukan_hukum_id;"
    "tingkat_pendidikan_id;unor_nama;jenis_jabatan_id;jabatan_nama;golongan;tmt_cpns"
)


def _row(i: int) -> list[str]:
    birth = dt.date(1970 + i % 25, 1 + i % 12, 1 + i % 28)
    gender = 1 + i % 2
    tmt = f"{birth.year + 25}03"
    nip = f"{birth:%Y%m%d}{tmt}{gender}{1 + i % 999:03d}"
    return [
        nip,
        f"Pegawai {i}",
        f"{birth:%d-%m-%Y}",
        "L" if gender == 1 else "P",
        "PNS",
        "01",
        "40",
        "Dinas Pendidikan",
        "2",
        "Guru Ahli Muda",
        "III/c",
        f"{birth.year + 25}-03-01",
    ]


def pegawai_csv(rows: int, *, messy_every: int = 0, offset: int = 0) -> bytes:
    """`rows` pegawai rows as a `;`-separated UTF-8 CSV with a BOM and human headers.

    With `messy_every=k`, every k-th row carries one planted error, cycling through: a NIP with
    a letter, an impossible date, an unknown golongan, a missing name.
    """
    out = io.StringIO()
    out.write("\ufeff" + HEADER + "\r\n")
    for n in range(rows):
        cells = _row(n + offset)
        if messy_every and n % messy_every == messy_every - 1:
            kind = (n // messy_every) % 4
            if kind == 0:
                cells[0] = cells[0][:10] + "X" + cells[0][11:]
            elif kind == 1:
                cells[2] = "31-02-1980"
            elif kind == 2:
                cells[10] = "V/z"
            else:
                cells[1] = ""
        out.write(";".join(cells) + "\r\n")
    return out.getvalue().encode("utf-8")
