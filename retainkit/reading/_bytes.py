"""What a file is, by its bytes: container, compression and text encoding.

A file's name is a hint, its first bytes are the truth: a CSV saved as ``.parquet``, a
``.csv.gz`` that is plain text, or an HTML page named ``.xls`` are recognised here, and
the text encoding is decided from the whole file, not from a sample.
"""

from __future__ import annotations

import atexit
import codecs
import gzip
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from retainkit.exceptions import DataValidationError

__all__ = [
    "FileKind",
    "TextEncoding",
    "file_kind",
    "iter_bytes",
    "line_of",
    "remove_copy",
    "scan_encoding",
    "to_utf8",
]

_MAGIC = (
    (b"PAR1", "parquet"),
    (b"PK\x03\x04", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML = re.compile(rb"^\s*<(!doctype html|html|table|\?xml|head|body|meta)", re.IGNORECASE)
_CHUNK = 1 << 20


def _is_workbook(path: Path) -> bool:
    """Tell an Excel workbook from another zip archive (a download of zipped CSV files)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return True  # damaged: the workbook reader says so
    return any(n.startswith("xl/") for n in names)


@dataclass(frozen=True)
class FileKind:
    """What a file holds.

    Attributes
    ----------
    kind : str
        ``"parquet"``, ``"xlsx"``, ``"xls"``, ``"zip"`` (not a workbook), ``"html"``,
        ``"text"`` or ``"empty"``.
    compression : str or None
        ``"gzip"`` or ``"zstd"`` for a compressed text file.
    """

    kind: str
    compression: str | None = None


def _open(path: Path, compression: str | None) -> IO[bytes]:
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "zstd":
        import pyarrow as pa

        return pa.CompressedInputStream(pa.OSFile(str(path)), "zstd")
    return path.open("rb")


def iter_bytes(path: Path, compression: str | None = None) -> Iterator[bytes]:
    """Yield a file's (decompressed) bytes in chunks of 1 MiB.

    Raises
    ------
    DataValidationError
        When compressed data is damaged or cut short.
    """
    try:
        with _open(path, compression) as fh:
            while block := fh.read(_CHUNK):
                yield block
    except (OSError, EOFError, zlib.error) as exc:
        raise DataValidationError(
            f"{str(path)!r} is damaged: its {compression} data cannot be read to the end "
            f"({exc}); copy or export the file again"
        ) from None


def file_kind(path: Path) -> FileKind:
    r"""Recognise a file by its first bytes (the suffix is not trusted).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.parquet"
    >>> _ = p.write_text("customer_id,order_date\n1,2024-01-02\n")
    >>> file_kind(p)
    FileKind(kind='text', compression=None)
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip() or not head.lstrip(codecs.BOM_UTF8).strip():
        return FileKind("empty")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "xlsx" and not _is_workbook(path):
                return FileKind("zip")
            if kind in ("gzip", "zstd"):
                inner = next(iter_bytes(path, kind), b"")
                if not inner.strip():
                    return FileKind("empty")
                return FileKind("text", kind)
            return FileKind(kind)
    if _HTML.match(head.lstrip(codecs.BOM_UTF8)):
        return FileKind("html")
    return FileKind("text")


@dataclass(frozen=True)
class TextEncoding:
    """The encoding of a whole text file, and what reading it showed.

    Attributes
    ----------
    encoding : str
        A Python codec name: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"utf-32"``,
        ``"cp1252"`` or ``"latin-1"``.
    note : str or None
        Said in the data-quality report when the file is not plain UTF-8.
    lines : int or None
        Physical lines in the file (None when not counted).
    """

    encoding: str
    note: str | None = None
    lines: int | None = None


def line_of(path: Path, compression: str | None, offset: int) -> int:
    """Return the physical line (1-based) that holds byte ``offset`` of a file."""
    lines, seen = 1, 0
    for block in iter_bytes(path, compression):
        if seen + len(block) > offset:
            return lines + block[: offset - seen].count(b"\n")
        lines += block.count(b"\n")
        seen += len(block)
    return lines


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def scan_encoding(path: Path, compression: str | None = None) -> TextEncoding:
    r"""Decide a text file's encoding from all of its bytes.

    A byte-order mark decides. Otherwise a file that decodes as UTF-8 from start to end
    is UTF-8; one that does not is Windows-1252 (the encoding Excel and most Windows
    tools write in Western Europe and the Americas), or Latin-1 where a byte is
    undefined in Windows-1252. A file that holds valid multi-byte UTF-8 text *and*
    bytes that are not UTF-8 mixes encodings and is refused.

    Raises
    ------
    DataValidationError
        When the file mixes encodings; the message gives the byte offset and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("id;name\n1;Caf\xe9 \x80\n".encode("latin-1"))
    >>> scan_encoding(p).encoding
    'cp1252'
    """
    head = next(iter_bytes(path, compression), b"")
    for bom, name in _BOMS:
        if head.startswith(bom) and name != "utf-8-sig":
            return TextEncoding(name, f"read as {name}")
    if (wide := _utf16_without_bom(head)) is not None:
        return TextEncoding(
            wide, f"read as {wide.upper()} (no byte-order mark; found by its NUL bytes)"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen = 0
    multibyte_at: int | None = None
    bad_at: int | None = None
    high = set()
    newlines = 0
    last = b""
    for block in iter_bytes(path, compression):
        newlines += block.count(b"\n")
        last = block[-1:]
        if multibyte_at is None and (m := _UTF8_MULTIBYTE.search(block)):
            multibyte_at = seen + m.start()
        if bad_at is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad_at = seen + exc.start
        if bad_at is not None:
            high.update(b for b in block if b >= 0x80)
        seen += len(block)
    if bad_at is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_at = seen - 1
    lines = newlines + (last not in (b"\n", b""))
    if bad_at is None:
        return TextEncoding(
            "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8", None, lines
        )
    line = line_of(path, compression, bad_at)
    if multibyte_at is not None and multibyte_at < bad_at:
        raise DataValidationError(
            f"{str(path)!r} mixes text encodings: it holds UTF-8 text (from line "
            f"{line_of(path, compression, multibyte_at)}) and, at byte {bad_at:,} (line "
            f"{line}), a byte that is not UTF-8. Save the file again as UTF-8, or pass "
            "encoding='cp1252' (or encoding in the [read] table of the mapping file) to "
            "read all of it as Windows-1252"
        )
    other = _legacy_encoding(path, compression, bad_at)
    if other is not None:
        return TextEncoding(
            other,
            f"read as {other} (recognised from its bytes): the file is not UTF-8 (first at "
            f"byte {bad_at:,}, line {line}); check the names in the report, and pass "
            "encoding=... if they are garbled",
            lines,
        )
    name = "latin-1" if high & _CP1252_UNDEFINED else "cp1252"
    label = {"cp1252": "Windows-1252", "latin-1": "Latin-1"}[name]
    return TextEncoding(
        name,
        f"read as {label}: the file is not UTF-8 (first at byte {bad_at:,}, line {line})",
        lines,
    )


# encodings of Latin-script text: read as Windows-1252, which Excel writes (a detector
# cannot tell them apart reliably on a few accented letters)
_LATIN = {
    "cp1252",
    "latin_1",
    "iso8859_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "mac_roman",
    "cp850",
    "cp437",
    "cp858",
    "iso8859_9",
    "cp1254",
    "cp1257",
    "iso8859_13",
    "iso8859_4",
    "mac_latin2",
    "ascii",
    "utf_8",
}


def _legacy_encoding(path: Path, compression: str | None, bad_at: int) -> str | None:
    """Name a non-Latin legacy encoding (Shift-JIS, GBK, Windows-1251...), if it is one."""
    from charset_normalizer import from_bytes

    sample = b""
    for block in iter_bytes(path, compression):
        sample += block
        if len(sample) >= max(bad_at + 4096, 1 << 18):
            break
    start = max(0, min(bad_at, len(sample)) - 4096)
    sample = sample[: 1 << 18] + b"\n" + sample[start : start + (1 << 16)]
    # Latin-script text has its accented letters one at a time among ASCII ones ("Café",
    # "Müller"); Shift-JIS, GBK, Big5 and Cyrillic text have runs of high bytes
    high = [i for i, b in enumerate(sample) if b >= 0x80]
    if not high:
        return None
    paired = sum(
        1
        for i in high
        if (i + 1 < len(sample) and sample[i + 1] >= 0x80) or (i and sample[i - 1] >= 0x80)
    )
    if paired < 0.6 * len(high):
        return None
    matches = list(from_bytes(sample))
    if not matches:
        return None
    # among the readings about as clean as the cleanest, the one whose words read as a
    # language (Shift-JIS read as Korean is as clean, but no language)
    cleanest = min(m.chaos for m in matches)
    best = max((m for m in matches if m.chaos <= cleanest + 0.05), key=lambda m: m.coherence)
    if best.encoding in _LATIN:
        return None
    return best.encoding


def _utf16_without_bom(head: bytes) -> str | None:
    """Recognise UTF-16 text without a byte-order mark by its NUL bytes."""
    pairs = head[: len(head) // 2 * 2]
    if len(pairs) < 16 or pairs.count(0) < len(pairs) // 4:
        return None
    odd_zero = pairs[1::2].count(0) / (len(pairs) // 2)
    even_zero = pairs[0::2].count(0) / (len(pairs) // 2)
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def to_utf8(path: Path, encoding: str, compression: str | None) -> Path:
    """Write a UTF-8 copy of a text file into a new temporary folder.

    The input is only read. The caller removes the folder with :func:`remove_copy`
    once the engine has read it (and it is removed at exit in any case).

    Returns
    -------
    Path
        The copy (uncompressed).
    """
    folder = Path(tempfile.mkdtemp(prefix="retainkit-text-"))
    atexit.register(remove_copy, folder)
    target = folder / "data.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            for block in iter_bytes(path, compression):
                out.write(decoder.decode(block))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        remove_copy(folder)
        raise DataValidationError(
            f"{str(path)!r} cannot be read as {encoding} ({exc.reason}); pass the file's "
            "encoding, e.g. encoding='utf-8' or encoding='cp1252'"
        ) from None
    return target


def remove_copy(path: Path) -> None:
    """Remove a copy made by :func:`to_utf8` (its folder), quietly."""
    folder = path if path.is_dir() else path.parent
    if folder.name.startswith("retainkit-text-"):
        shutil.rmtree(folder, ignore_errors=True)
