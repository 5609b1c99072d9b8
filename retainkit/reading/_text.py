"""The layout of a delimited text file: separator, quoting, title rows and header.

The rules are stated, not left to a sniffer: fields are quoted with ``"`` and a quote
inside a quoted field is doubled (RFC 4180), unless the file escapes quotes with a
backslash throughout; an apostrophe is never a quote character. The separator is the
one of ``, ; tab |`` that splits the first records into the same number of fields;
lines above the header that do not have that many fields (a report title, a date
range, a blank line) and Excel's ``sep=;`` line are skipped and noted.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from retainkit.exceptions import DataValidationError
from retainkit.reading._bytes import iter_bytes

__all__ = ["TextLayout", "sniff_layout"]

_HEAD = 1 << 18  # bytes read to find the layout
_DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
_DELIMITER_NAMES = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "vertical bar",
    ", ": "comma and space",
    "; ": "semicolon and space",
}


@dataclass(frozen=True)
class TextLayout:
    """How to split a text file into records and fields.

    Attributes
    ----------
    delimiter, quote, escape : str
    skip_lines : int
        Physical lines before the header (or before the first record without one).
    columns : tuple of str
        Column names: the header's, made unique and non-empty, or the names given.
    header : bool
        Whether the line after the skipped ones is a header.
    notes : tuple of str
        What was decided that a reader should know (title lines skipped, backslash
        escapes, ``sep=`` line).
    duplicated : tuple of str
        Names the header gives to more than one column.
    """

    delimiter: str
    quote: str = '"'
    escape: str = '"'
    skip_lines: int = 0
    columns: tuple[str, ...] = ()
    header: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)
    duplicated: tuple[str, ...] = ()


def _head_text(path: Path, compression: str | None, encoding: str) -> tuple[str, bool]:
    data = b""
    for block in iter_bytes(path, compression):
        data += block
        if len(data) >= _HEAD:
            break
    complete = len(data) < _HEAD
    text = data[:_HEAD].decode(encoding, errors="replace").lstrip("\ufeff")
    if not complete:  # drop the record cut by the end of the sample
        text = text[: max(text.rfind("\n"), 0)]
    return text, complete


def _records(
    text: str, delimiter: str, *, escape: str = '"', limit: int = 400
) -> list[tuple[int, list[str]]]:
    """Return up to ``limit`` non-blank records with the physical line they start on.

    A two-character separator (``", "``) is a one-character one followed by space.
    """
    options: dict[str, object] = (
        {"doublequote": True} if escape == '"' else {"doublequote": False, "escapechar": escape}
    )
    if escape == "":  # no quoting at all: a quote is a character like any other
        options = {"quoting": csv.QUOTE_NONE}
    if len(delimiter) == 2 and delimiter[1] == " ":
        options["skipinitialspace"] = True
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter[0], quotechar='"', **options
    )
    out: list[tuple[int, list[str]]] = []
    while len(out) < limit:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            continue
        if any(f.strip() for f in row):
            out.append((start, row))
    return out


def _broken_quotes(text: str, delimiter: str) -> bool:
    """Tell whether a field opens a quote that RFC 4180 cannot close (``"Big" Mug``)."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter[0],
        quotechar='"',
        doublequote=True,
        strict=True,
        skipinitialspace=len(delimiter) == 2,
    )
    while True:
        try:
            next(reader)
        except StopIteration:
            return False
        except csv.Error:
            return True


def _shape(records: list[tuple[int, list[str]]]) -> tuple[int, float]:
    """Return the usual field count of the records and the share that has it."""
    if not records:
        return 0, 0.0
    tail = records[len(records) // 5 :] or records  # title lines sit at the top
    usual = Counter(len(r) for _, r in tail).most_common(1)[0][0]
    first = next(i for i, (_, r) in enumerate(records) if len(r) == usual)
    body = records[first:]
    return usual, sum(len(r) == usual for _, r in body) / len(body)


def _header_index(records: list[tuple[int, list[str]]], usual: int) -> int:
    """Index of the header: the first record of the usual width with most fields filled.

    Excel pads a title line to the sheet's width ("Sales by customer,,,,"), so width
    alone does not tell a title from the header.
    """
    for i, (_, row) in enumerate(records):
        filled = sum(bool(f.strip()) for f in row)
        if len(row) == usual and filled * 2 >= usual:
            return i
    return 0


def _repeated(row: list[str]) -> tuple[str, ...]:
    """Names the header gives to more than one column (letter case aside: DuckDB ignores it)."""
    counts = Counter(f.strip().lower() for f in row if f.strip())
    return tuple(
        dict.fromkeys(f.strip() for f in row if f.strip() and counts[f.strip().lower()] > 1)
    )


def _unique_names(row: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    seen: Counter[str] = Counter()
    for j, raw in enumerate(row):
        name = raw.strip().lstrip("\ufeff") or f"column_{j + 1}"
        seen[name.lower()] += 1
        names.append(name if seen[name.lower()] == 1 else f"{name}_{seen[name.lower()]}")
    return tuple(names)


def sniff_layout(
    path: Path,
    *,
    compression: str | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    escape: str | None = None,
    skip_lines: int | None = None,
    names: tuple[str, ...] | None = None,
) -> TextLayout:
    r"""Find the layout of a delimited text file from its first records.

    Parameters
    ----------
    path : Path
    compression : {"gzip", "zstd"}, optional
    encoding : str
        A Python codec name.
    delimiter, escape : str, optional
        Given by the user: not detected.
    skip_lines : int, optional
        Lines above the header, given by the user (otherwise title lines are found).
    names : tuple of str, optional
        Column names of a file without a header row.

    Returns
    -------
    TextLayout

    Raises
    ------
    DataValidationError
        When no separator splits the records evenly; the message shows the first lines.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text('Sales 2024\n\nid;name;amount\n1;"a;b";2,5\n2;c;3\n')
    >>> layout = sniff_layout(p)
    >>> layout.delimiter, layout.skip_lines, layout.columns
    (';', 2, ('id', 'name', 'amount'))
    """
    text, _ = _head_text(path, compression, encoding)
    notes: list[str] = []
    lines_before = 0
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if (m := _SEP_LINE.match(first_line)) and delimiter is None:
        delimiter = m.group(1)
        notes.append(f"the first line {first_line!r} names the separator; it is not data")
    if _SEP_LINE.match(first_line):
        lines_before = 1
        text = text.split("\n", 1)[1] if "\n" in text else ""

    escape = escape or '"'
    candidates: tuple[str, ...] = (delimiter,) if delimiter else _DELIMITERS
    if delimiter is None:
        # a separator always followed by a space (", "), with fields quoted after it
        lines = text.splitlines()[:50]
        spaced = [
            d + " "
            for d in (",", ";")
            if any(f'{d} "' in line for line in lines)
            and all(line.count(d) == line.count(d + " ") for line in lines)
        ]
        candidates = candidates + tuple(spaced)
    best: tuple[tuple[float, ...], str, list[tuple[int, list[str]]]] | None = None
    for d in candidates:
        records = _records(text, d, escape=escape)
        usual, share = _shape(records)
        fits = bool(records) and len(records[0][1]) == usual  # the first line splits alike
        score = (usual > 1, round(share, 2), fits, usual)
        if best is None or score > best[0]:
            best = (score, d, records)
    assert best is not None
    (is_split, share, _, usual), chosen, records = best
    if len(chosen) == 2:
        notes.append(f"fields are separated by {describe_delimiter(chosen)} ({chosen!r})")
    if not is_split and delimiter is None:
        shown = "\n".join(text.splitlines()[:3])
        raise DataValidationError(
            f"{str(path)!r}: no separator (comma, semicolon, tab or |) splits its lines into "
            f"the same number of fields; its first lines are:\n{shown}\n"
            "Pass delimiter=... (or delimiter in the [read] table of the mapping file)"
        )
    if '"' in text and escape == '"' and _broken_quotes(text, chosen):
        # a quote opening a field but not closing it (a product called "Big" Mug in a file
        # that never quotes): the file does not quote at all when that reads it evenly
        plain = _records(text, chosen, escape="")
        p_usual, p_share = _shape(plain)
        quoted = any(
            len(f) > 1 and f.startswith('"') and f.endswith('"') for _, r in plain for f in r
        )
        if p_share == 1.0 and p_usual == usual and not quoted:
            escape, records = "", plain
            notes.append('the file does not quote its fields: " is read as a character')
    if escape == '"' and '\\"' in text:
        backslashed = _records(text, chosen, escape="\\")
        b_usual, b_share = _shape(backslashed)
        if b_usual == usual and b_share > share:
            escape, records = "\\", backslashed
            notes.append('quotes inside fields are escaped with a backslash (\\")')

    if names is not None:
        return TextLayout(
            delimiter=chosen,
            escape=escape,
            skip_lines=lines_before + (skip_lines or 0),
            columns=tuple(names),
            header=False,
            notes=tuple(notes),
        )
    if skip_lines is not None:
        rest = "\n".join(text.splitlines()[skip_lines:])
        records = _records(rest, chosen, escape=escape, limit=1)
        if not records:
            raise DataValidationError(f"{str(path)!r} has no lines after skip_rows={skip_lines}")
        start, header = records[0]
        return TextLayout(
            delimiter=chosen,
            escape=escape,
            skip_lines=lines_before + skip_lines + start - 1,
            columns=_unique_names(header),
            notes=tuple(notes),
            duplicated=_repeated(header),
        )
    index = _header_index(records, usual)
    start, header = records[index]
    first_start, first = records[0]
    if index and len(first) < usual and all(f.strip() for f in first):
        body = records[1:]
        if all(not any(f.strip() for f in r[len(first) :]) for _, r in body):
            # every line ends with separators the header lacks (an export writing "a,b,c,")
            index, start = 0, first_start
            header = first + [""] * (usual - len(first))
            notes.append(
                f"the lines end with {usual - len(first)} empty field(s) that the header does "
                "not name; they are ignored"
            )
    if index:
        titles = "; ".join(
            " ".join(f.strip() for f in row if f.strip()) for _, row in records[:index]
        )
        notes.append(
            f"{start - 1} line{'s' if start > 2 else ''} above the header skipped "
            f"(a title, not data): {titles[:120]!r}; pass skip_rows to change this"
        )
    return TextLayout(
        delimiter=chosen,
        escape=escape,
        skip_lines=lines_before + start - 1,
        columns=_unique_names(header),
        notes=tuple(notes),
        duplicated=_repeated(header),
    )


def describe_delimiter(delimiter: str) -> str:
    r"""Name a separator in words ("semicolon").

    Examples
    --------
    >>> describe_delimiter("\t")
    'tab'
    """
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))
