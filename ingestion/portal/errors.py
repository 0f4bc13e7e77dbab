"""Every refusal the portal gives: an English `code`, an HTTP status and a message in Bahasa
Indonesia for the office. Data, not scattered strings."""

from __future__ import annotations

_CATALOG: dict[str, tuple[int, str]] = {
    "unauthenticated": (
        401,
        "Token tidak dikenal, sudah dicabut, atau sesi Anda telah berakhir. "
        "Masuk kembali dengan token yang diberikan BKN.",
    ),
    "forbidden_instansi": (
        403,
        "Token Anda hanya berlaku untuk instansi {own}; data instansi {other} tidak dapat "
        "diunggah atau dilihat.",
    ),
    "csrf_failed": (
        403,
        "Formulir sudah kedaluwarsa atau tidak berasal dari portal ini. Muat ulang halaman lalu "
        "coba lagi.",
    ),
    "not_found": (404, "Unggahan tidak ditemukan."),
    "feedback_not_ready": (
        404,
        "Laporan umpan balik untuk unggahan ini belum tersedia; laporan dibuat setelah data "
        "diproses oleh pipeline.",
    ),
    "instansi_required": (
        422,
        "Pilih kode instansi: token administrator BKN tidak terikat pada satu instansi.",
    ),
    "unknown_instansi": (422, "Kode instansi '{value}' tidak ada dalam daftar instansi."),
    "invalid_periode": (
        422,
        "Periode '{value}' tidak valid: tulis sebagai TTTT-BB (misalnya 2025-12), tidak sebelum "
        "2000-01 dan tidak melewati bulan berjalan.",
    ),
    "invalid_jenis": (
        422,
        "Jenis data '{value}' tidak dikenal: pilih pegawai, diklat, skp atau hukdis.",
    ),
    "no_file": (422, "Tidak ada file yang diunggah. Pilih file CSV, XLSX atau Parquet."),
    "empty_file": (422, "File yang diunggah kosong (0 byte)."),
    "malformed_upload": (
        400,
        "Permintaan unggah tidak dapat dibaca ({detail}). Kirim sebagai multipart/form-data "
        "dengan satu bagian bernama 'file'.",
    ),
    "request_too_large": (413, "Permintaan terlalu besar untuk halaman ini."),
    "too_large": (
        413,
        "Ukuran file melebihi batas {limit_mb} MB. Pecah file per unit kerja atau hubungi BKN.",
    ),
    "unsupported_type": (
        415,
        "Isi file bukan CSV, XLSX atau Parquet (terdeteksi: {detected}). Simpan ulang file "
        "sebagai CSV (UTF-8) atau Excel Workbook (.xlsx) lalu unggah kembali.",
    ),
    "legacy_xls": (
        415,
        "File ini berformat Excel lama (.xls) atau dilindungi kata sandi. Buka di Excel, hapus "
        "kata sandinya bila ada, pilih Simpan Sebagai > Excel Workbook (.xlsx), lalu unggah "
        "kembali.",
    ),
    "not_xlsx": (
        415,
        "File ini arsip ZIP tetapi bukan buku kerja Excel (XLSX) ({detail}).",
    ),
    "zip_bomb": (
        422,
        "File XLSX ditolak demi keamanan: isinya setelah diekstrak terlalu besar atau tidak wajar "
        "({detail}). Simpan ulang hanya lembar data yang diperlukan.",
    ),
    "parquet_too_large": (
        422,
        "File Parquet ditolak: {detail}. Pecah file menjadi beberapa bagian.",
    ),
    "parquet_unreadable": (415, "File Parquet rusak atau tidak dapat dibaca ({detail})."),
}


class PortalError(Exception):
    """A refusal with its HTTP status, English code and Indonesian message."""

    def __init__(self, code: str, **params: object) -> None:
        status, template = _CATALOG[code]
        message = template
        for key, value in params.items():
            message = message.replace("{" + key + "}", str(value))
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.params = params

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


def catalog() -> dict[str, tuple[int, str]]:
    return dict(_CATALOG)
