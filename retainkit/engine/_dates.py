"""Order dates: the format of a date column, found from its values, and the parsing.

Rules (stated, not guessed):

- A date column's format is decided from *all* its values. Numeric dates whose day and
  month could be swapped are read day-first only when some value has a first number
  above 12, month-first only when some value has a second number above 12; when no
  value settles it, or values settle it both ways, loading stops and asks for
  ``date_format`` or ``dayfirst``. Dates written with dots (``05.01.2024``) are
  day-first: no convention writes month.day.year. Two-digit years follow Python's ``%y`` (00-68 are
  2000-2068, 69-99 are 1969-1999); two- and four-digit years may be mixed.
- ISO 8601 (``2024-01-05``, ``2024-01-05T10:00:00Z``) is only taken for text that has
  its shape: ``1/5/24`` is never read through an ISO cast.
- Whole numbers of 5 digits (or with a fraction) are Excel serial dates (1900 date
  system, 45292 = 2024-01-01); of 8 digits ``YYYYMMDD``; of 9-10 digits Unix seconds and
  of 12-13 digits Unix milliseconds. ``date_format`` names them: ``"excel"``,
  ``"unix"``, ``"unix_ms"``.
- Time zones: a timestamp that states its zone (a ``+02:00``/``Z`` suffix, a Parquet
  or pandas column with a zone) is shown as the local clock time of ``timezone`` when
  given; otherwise as the clock time of its own zone (the suffix's; the column's).
  Unix times are instants: UTC clock time unless ``timezone`` is given. Timestamps
  without a zone are taken as already local.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from retainkit.engine._backend import execute, whole
from retainkit.engine._ids import trimmed
from retainkit.exceptions import DataValidationError

__all__ = ["DateParse", "parse_dates"]

NAMED_FORMATS = ("excel", "unix", "unix_ms", "iso")

_ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$"
# a zone designator after a clock time: "10:00:00Z", "10:00+02:00", "10:00 UTC"
# zone abbreviations exports write after a time, with their offset from UTC in hours
# (IST is left out: India, Ireland and Israel all write it)
_ZONE_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "ACST": 9.5,
    "ACDT": 10.5,
    "AWST": 8,
    "NZST": 12,
    "NZDT": 13,
    "HST": -10,
    "AKST": -9,
    "AKDT": -8,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "AST": -4,
    "ADT": -3,
    "NST": -3.5,
    "NDT": -2.5,
}
_ZONES = "|".join(sorted(_ZONE_HOURS, key=len, reverse=True))
# an offset after a time: +02:00, +0200 or PostgreSQL's +02
_OFFSET = r"([+-])([0-9]{2})(?::?([0-9]{2}))?$"
_ZONE_OR_OFFSET = rf"({_ZONES}|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)$"
_TZ = r"(?i)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:\s*[AP]M)?\s*" + _ZONE_OR_OFFSET
_TZ_STRIP = r"(?i)\s*" + _ZONE_OR_OFFSET
# a value that is a time of day only (10:00, 9:30:15 PM)
_TIME_ONLY = r"(?i)[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(\s*[AP]\.?M\.?)?"
# a word of three or more letters in a date (a month name in another language)
_MONTH_WORD = r"[^\W\d_]{3,}"
# words of English dates: month names and abbreviations, weekdays, ordinal suffixes
_ENGLISH_WORDS = frozenset(
    [m.lower() for m in calendar.month_name[1:] + calendar.month_abbr[1:]]
    + [d.lower() for d in calendar.day_name[:] + calendar.day_abbr[:]]
    + ["sept", "st", "nd", "rd", "th", "of", "at", "am", "pm", "utc", "gmt"]
)
_TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %I %p")
_NAME_DATES = (
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%a %b %d %Y",
    "%a, %d %b %Y",
    "%A, %B %d, %Y",
    "%d. %B %Y",
    "%d.%b.%Y",
    "%b-%d-%Y",
    "%Y-%b-%d",
)
_FIELDS = r"^[^0-9]*([0-9]+)[^0-9]+([0-9]+)[^0-9]+([0-9]+)"


@ibis.udf.scalar.builtin
def try_strptime(value: str, fmt: str) -> dt.timestamp:  # type: ignore[empty-body]
    """DuckDB's ``try_strptime``: NULL where the text does not match the format."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime_any(value: str, fmts: dt.Array(dt.string)) -> dt.timestamp:  # type: ignore[empty-body]
    """DuckDB's ``try_strptime`` with a list of formats: the first that matches."""


@ibis.udf.scalar.builtin(name="timezone")
def _local_time(zone: str, ts: dt.timestamp) -> dt.timestamp:  # type: ignore[empty-body]
    """DuckDB's ``timezone(zone, timestamptz)``: the clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="timezone")
def _as_instant(zone: str, ts: dt.timestamp) -> dt.Timestamp(timezone="UTC"):  # type: ignore[empty-body]
    """DuckDB's ``timezone(zone, timestamp)``: the instant of a clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="make_timestamp")
def _from_micros(micros: dt.int64) -> dt.timestamp:  # type: ignore[empty-body]
    """DuckDB's ``make_timestamp(microseconds since 1970)``."""


@dataclass(frozen=True)
class DateParse:
    """How a date column was read: the expression, and what to tell the user.

    Attributes
    ----------
    value : ibis.expr.types.TimestampValue
        Local timestamps (no zone).
    notes : tuple of str
    """

    value: ir.TimestampValue
    notes: tuple[str, ...] = ()


def _check_zone(zone: str | None) -> None:
    if zone is None:
        return
    try:
        pd.Timestamp("2024-01-01").tz_localize(zone)
    except Exception:
        raise DataValidationError(
            f"timezone={zone!r} is not a time zone name; use an IANA name such as "
            "'Europe/Berlin', 'America/New_York' or 'UTC'"
        ) from None


def parse_dates(
    col: ir.Value,
    table: ir.Table,
    *,
    name: str,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    column_zone: str | None = None,
    duck: bool = True,
) -> DateParse:
    """Return the expression that reads a date column, deciding its format from its values.

    Parameters
    ----------
    col : ibis.expr.types.Value
        The raw column (text, number, date or timestamp).
    table : ibis.expr.types.Table
        The table it belongs to (queried for the values).
    name : str
        The column's name in the source, for messages (and to leave out repeated
        header rows).
    date_format : str, optional
        A ``strftime`` format or one of ``"excel"``, ``"unix"``, ``"unix_ms"``, ``"iso"``.
    dayfirst : bool, optional
        Settles dates that read both day-first and month-first.
    timezone : str, optional
        Show zone-stating timestamps as the local time of this IANA zone.
    column_zone : str, optional
        The zone a Parquet column's timestamps were written with.
    duck : bool
        The table is in DuckDB (text formats need its ``try_strptime``).

    Returns
    -------
    DateParse

    Raises
    ------
    DataValidationError
        When the format is ambiguous (day-first or month-first), values settle it both
        ways, or no known format fits.
    """
    _check_zone(timezone)
    dtype = table.schema()[name] if name in table.columns else col.type()
    if dtype.is_timestamp() and dtype.timezone:
        zone = timezone or column_zone or dtype.timezone
        note = f"'{name}' holds instants with a time zone; shown as clock time in {zone}" + (
            "" if timezone else " (pass timezone=... for another zone)"
        )
        return DateParse(_local_time(zone, col), (note,))
    if dtype.is_timestamp() or dtype.is_date():
        return DateParse(col.cast("timestamp"))
    if dtype.is_numeric():
        return _numeric_dates(col.cast("float64"), table, name, date_format, timezone)
    text = trimmed(col)
    if date_format in NAMED_FORMATS and date_format != "iso":
        number = text.try_cast("float64")
        return _numeric_dates(number, table, name, date_format, timezone)
    return _text_dates(text, table, name, date_format, dayfirst, timezone, duck)


# ------------------------------------------------------------------ numbers


def _numeric_kind(low: float, high: float, whole: bool) -> str | None:
    if 19000101 <= low and high <= 22001231 and whole:
        return "%Y%m%d"
    if 1e8 <= low and high < 4.2e9:
        return "unix"
    if 1e11 <= low and high < 4.2e12:
        return "unix_ms"
    if 1000 <= low and high < 2958466:
        return "excel"
    return None


_KIND_WORDS = {
    "excel": "Excel serial dates (days since 1899-12-30; 45292 = 2024-01-01)",
    "unix": "Unix times in seconds (since 1970-01-01 UTC)",
    "unix_ms": "Unix times in milliseconds (since 1970-01-01 UTC)",
    "%Y%m%d": "dates written as YYYYMMDD numbers",
}


def _numeric_dates(
    number: ir.FloatingValue,
    table: ir.Table,
    name: str,
    date_format: str | None,
    timezone: str | None,
) -> DateParse:
    kind = date_format
    if kind is None:
        stats = execute(
            table.aggregate(
                low=number.min(), high=number.max(), frac=(number != number.floor()).sum()
            )
        ).iloc[0]
        if pd.isna(stats["low"]):
            return DateParse(ibis.null("timestamp"))
        kind = _numeric_kind(float(stats["low"]), float(stats["high"]), not whole(stats["frac"]))
        if kind is None:
            raise DataValidationError(
                f"the numbers in '{name}' (from {stats['low']:g} to {stats['high']:g}) are not "
                "dates retainkit recognises; pass date_format='excel' (Excel serial "
                "dates), 'unix' or 'unix_ms' (Unix times), or a strftime format"
            )
    if kind == "%Y%m%d":
        text = number.cast("int64").cast("string")
        return DateParse(try_strptime(text, "%Y%m%d"), (f"'{name}': {_KIND_WORDS[kind]}",))
    if kind == "excel":
        micros = ((number - 25569) * 86_400_000_000).round().cast("int64")
        return DateParse(_from_micros(micros), (f"'{name}': {_KIND_WORDS[kind]}",))
    scale = 1_000_000 if kind == "unix" else 1_000
    utc = _from_micros((number * scale).round().cast("int64"))
    if timezone:
        value = _local_time(timezone, _as_instant("UTC", utc))
        return DateParse(value, (f"'{name}': {_KIND_WORDS[kind]}, shown in {timezone}",))
    return DateParse(
        utc,
        (f"'{name}': {_KIND_WORDS[kind]}, shown as UTC clock time (pass timezone=... for local)",),
    )


# --------------------------------------------------------------------- text


def _strptime_any(text: ir.StringValue, formats: Sequence[str], duck: bool) -> ir.TimestampValue:
    if duck:
        return _try_strptime_any(text, ibis.literal(list(formats), type=dt.Array(dt.string)))
    parsed = [text.as_timestamp(f) for f in formats]
    return ibis.coalesce(*parsed) if len(parsed) > 1 else parsed[0]


def _covers(fmt: str, value: str) -> bool:
    try:
        _dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _with_times(date_formats: Sequence[str]) -> list[str]:
    return [d + t for d in date_formats for t in _TIMES]


@dataclass
class _Shape:
    shape: str
    rows: int
    example: str
    max1: int
    max2: int
    max3: int
    len1: int
    min_len1: int
    len3: int
    min_len3: int
    n1: int = 0
    n3: int = 0


def _shapes(base: ir.StringValue, table: ir.Table) -> list[_Shape]:
    values = table.select(v=base).filter(lambda t: t.v.notnull() & (t.v != ""))
    shape = values.v.re_replace("[A-Za-z]+", "a").re_replace("[0-9]+", "#")
    fields = [values.v.re_extract(_FIELDS, k) for k in (1, 2, 3)]
    nums = [f.nullif("").cast("int64") for f in fields]
    grouped = (
        values.mutate(
            shape=shape,
            f1=nums[0],
            f2=nums[1],
            f3=nums[2],
            l1=fields[0].length(),
            l3=fields[2].length(),
        )
        .group_by("shape")
        .aggregate(
            rows=ibis._.count(),
            example=ibis._.v.arbitrary(),
            max1=ibis._.f1.max(),
            max2=ibis._.f2.max(),
            max3=ibis._.f3.max(),
            len1=ibis._.l1.max(),
            min_len1=ibis._.l1.min(),
            len3=ibis._.l3.max(),
            min_len3=ibis._.l3.min(),
            n1=ibis._.f1.nunique(),
            n3=ibis._.f3.nunique(),
        )
        .order_by(ibis.desc("rows"))
        .limit(200)
    )
    out = []
    for row in execute(grouped).itertuples(index=False):

        def num(v: object) -> int:
            return 0 if pd.isna(v) else int(v)  # type: ignore[arg-type]

        out.append(
            _Shape(
                str(row.shape),
                int(row.rows),
                str(row.example),
                num(row.max1),
                num(row.max2),
                num(row.max3),
                num(row.len1),
                num(row.min_len1),
                num(row.len3),
                num(row.min_len3),
                num(row.n1),
                num(row.n3),
            )
        )
    return out


_NUMERIC_DATE = re.compile(r"^#([-/.])#\1#(?: #:#(?::#(?:\.#)?)?(?: ?a)?| # ?a)?$")


def _text_dates(
    text: ir.StringValue,
    table: ir.Table,
    name: str,
    date_format: str | None,
    dayfirst: bool | None,
    timezone: str | None,
    duck: bool,
) -> DateParse:
    notes: list[str] = []
    header = text == name  # a repeated header row is counted as such, not as a bad date
    zoned = text.re_search(_TZ)
    n_zoned = whole(execute(table.aggregate(n=zoned.sum()))["n"].iloc[0]) if duck else 0
    base = text
    if n_zoned:
        base = ibis.cases((zoned, text.re_replace(_TZ_STRIP, "")), else_=text)
    base = base.re_replace(r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})T", r"\1 ")
    base = ibis.cases((header, ibis.null("string")), else_=base)

    if date_format == "iso":
        value = base.try_cast("timestamp")
        notes.append(f"'{name}' read as ISO 8601 (YYYY-MM-DD)")
    elif date_format:
        # zones are read apart from the clock time (DuckDB's %Z would turn it into UTC)
        date_format = re.sub(r"\s*%[Zz]", "", date_format)
        value = _strptime_any(
            base, _with_times([date_format]) if "%H" not in date_format else [date_format], duck
        )
        notes.append(f"'{name}' read with format {date_format!r}")
    else:
        iso = base.re_search(_ISO)
        counts = execute(
            table.aggregate(
                n=(base.notnull() & (base != "")).sum(),
                iso=(iso & base.try_cast("timestamp").notnull()).sum(),
            )
        ).iloc[0]
        if whole(counts["n"]) == whole(counts["iso"]):
            value = ibis.cases((iso, base.try_cast("timestamp")), else_=ibis.null("timestamp"))
            notes.append(f"'{name}' read as ISO 8601 dates (YYYY-MM-DD)")
        else:
            formats, said = _decide_formats(
                _shapes(base, table), name, dayfirst, iso_present=whole(counts["iso"]) > 0
            )
            if formats == ["number"]:
                return _numeric_dates(text.try_cast("float64"), table, name, None, timezone)
            notes.append(said)
            parsed = _strptime_any(base, formats, duck) if formats else ibis.null("timestamp")
            value = ibis.cases((iso, base.try_cast("timestamp")), else_=parsed)
    if n_zoned:
        if timezone:
            offset = _offset_seconds(text)
            utc = value - offset.as_interval("s")
            value = ibis.cases((zoned, _local_time(timezone, _as_instant("UTC", utc))), else_=value)
            notes.append(
                f"{n_zoned:,} dates in '{name}' state a time zone (+02:00, Z...): shown as clock "
                f"time in {timezone}; dates without a zone are taken as {timezone} time"
            )
        else:
            notes.append(
                f"{n_zoned:,} dates in '{name}' state a time-zone offset (+02:00, Z...): each is "
                "kept at its own local clock time (pass timezone=... to show all in one zone)"
            )
    return DateParse(value, tuple(notes))


def _offset_seconds(text: ir.StringValue) -> ir.IntegerValue:
    sign = ibis.cases((text.re_extract(_OFFSET, 1) == "-", -1), else_=1)
    hours = text.re_extract(_OFFSET, 2).nullif("").cast("int64")
    minutes = text.re_extract(_OFFSET, 3).nullif("").cast("int64").fill_null(0)
    numeric = sign * (hours * 3600 + minutes * 60)
    named = text.re_extract(rf"(?i)({_ZONES})$", 1).upper()
    by_name = ibis.cases(
        *[(named == zone, int(hours_ * 3600)) for zone, hours_ in _ZONE_HOURS.items()],
        else_=ibis.null("int64"),
    )
    return ibis.coalesce(numeric, by_name, 0)


def _two_digit_year_first(s: _Shape, name: str) -> bool:
    """Tell whether ``yy-mm-dd`` rather than ``dd-mm-yy`` (or ``mm-dd-yy``) is written.

    With two-digit numbers first and last, both at most 31, either could be the year.
    The year is the one with few distinct values beside the other: a log spans more days
    than years. When the two cannot be told apart, loading stops.
    """
    if not (s.min_len1 == s.len1 == 2 and s.len3 == 2 and s.max1 <= 31 and s.max3 <= 31):
        return False
    if s.max2 > 12:  # the middle is no month: neither form
        return False
    if s.n1 * 2 <= s.n3:
        return True
    if s.n3 * 2 <= s.n1:
        return False
    raise DataValidationError(
        f"the dates in '{name}' (such as {s.example!r}) could be day-month-year or "
        "year-month-day with two-digit years, and the values do not settle it; pass "
        "date_format, e.g. date_format='%d-%m-%y' or date_format='%y-%m-%d'"
    )


def _decide_formats(
    shapes: list[_Shape], name: str, dayfirst: bool | None, *, iso_present: bool = False
) -> tuple[list[str], str]:
    """Choose the strftime formats that read every shape of value; explain the choice."""
    numeric = [s for s in shapes if _NUMERIC_DATE.match(s.shape)]
    short_year_first = [s for s in numeric if _two_digit_year_first(s, name)]
    day_ev = [
        s for s in numeric if s.min_len1 < 4 and 12 < s.max1 <= 31 and s not in short_year_first
    ]
    month_ev = [s for s in numeric if s.min_len1 < 4 and 12 < s.max2 <= 31]
    year_first = [s for s in numeric if s.min_len1 == 4 or s.max1 > 31 or s in short_year_first]
    formats: list[str] = []
    said: list[str] = []
    if all(s.shape in ("#", "#.#") for s in shapes):
        return ["number"], ""
    needs_order = [s for s in numeric if s not in year_first]
    if needs_order:
        if day_ev and month_ev and dayfirst is None:
            raise DataValidationError(
                f"the dates in '{name}' mix day-first and month-first forms (e.g. "
                f"{day_ev[0].example!r} has a day above 12 first, {month_ev[0].example!r} second), "
                "so some cannot be read safely; pass date_format for the form you use "
                "(e.g. date_format='%d/%m/%Y')"
            )
        dotted = all(_NUMERIC_DATE.match(s.shape).group(1) == "." for s in needs_order)  # type: ignore[union-attr]
        if dayfirst is not None:
            first = bool(dayfirst)
        elif day_ev:
            first = True
        elif month_ev:
            first = False
        elif dotted:  # 05.01.2024: dots separate day.month.year wherever they are used
            first = True
        else:
            examples = ", ".join(repr(s.example) for s in needs_order[:3])
            sep = _NUMERIC_DATE.match(needs_order[0].shape).group(1)  # type: ignore[union-attr]
            raise DataValidationError(
                f"the dates in '{name}' (such as {examples}) read both day-first and "
                "month-first: no day is above 12. Say which it is: "
                f"date_format='%d{sep}%m{sep}%Y' (day first) or date_format='%m{sep}%d{sep}%Y' "
                "(month first), or dayfirst=True/False"
            )
        for s in needs_order:
            sep = _NUMERIC_DATE.match(s.shape).group(1)  # type: ignore[union-attr]
            order = ("%d", "%m") if first else ("%m", "%d")
            years = ["%y", "%Y"] if s.min_len3 <= 2 else ["%Y"]
            if s.len3 > 2 and s.min_len3 <= 2:
                years = ["%y", "%Y"]
            for y in years:
                f = f"{order[0]}{sep}{order[1]}{sep}{y}"
                if f not in formats:
                    formats.append(f)
        example = needs_order[0].example
        said.append(
            f"'{name}' read {'day' if first else 'month'} first as {formats[-1]!r} "
            f"(e.g. {example!r})"
        )
        if any(s.min_len3 <= 2 for s in needs_order):
            said.append("two-digit years read as 1969-2068")
    for s in year_first:
        sep = _NUMERIC_DATE.match(s.shape).group(1)  # type: ignore[union-attr]
        year = "%Y" if s.min_len1 == 4 else "%y"
        if sep != "-" or year == "%y":
            f = f"{year}{sep}%m{sep}%d"
            if f not in formats:
                formats.append(f)
                if year == "%y":
                    said.append(f"'{name}' read year first as {f!r} (e.g. {s.example!r})")
    others = [s for s in shapes if s not in numeric and s.shape not in ("#.#",)]
    for s in others:
        fits = [f for f in _with_times(_NAME_DATES) if _covers(f, s.example)]
        if not fits and s.shape == "#" and len(s.example) == 8:
            fits = ["%Y%m%d"]
        formats += [f for f in fits if f not in formats]
        if fits:
            said.append(f"{s.example!r} read as {fits[0]!r}")
    if not formats and iso_present:  # the rest are not dates: counted as unparseable
        return [], f"'{name}' read as ISO 8601 dates (YYYY-MM-DD)"
    if not formats:
        shown = ", ".join(repr(s.example) for s in shapes[:5])
        if all(re.fullmatch(_TIME_ONLY, s.example.strip()) for s in shapes):
            raise DataValidationError(
                f"'{name}' holds times of day without a date (values such as {shown}), so it "
                "cannot be the order date. Map order_date to the column with the dates "
                "(columns={'order_date': '<date column>'}); when the date and the time are in "
                "two columns, the date column alone is enough"
            )
        words = {w.lower() for s in shapes for w in re.findall(_MONTH_WORD, s.example)}
        if words - _ENGLISH_WORDS:
            raise DataValidationError(
                f"could not recognise the date format of '{name}' (values such as {shown}): "
                "month names are read in English only (5 May 2024, Jan 5, 2024). Re-export the "
                "dates as numbers (05.05.2024, 2024-05-05), or convert the column in a "
                "spreadsheet before loading"
            )
        raise DataValidationError(
            f"could not recognise the date format of '{name}' (values such as {shown}); "
            "pass date_format, e.g. date_format='%d/%m/%Y %H:%M' (Python strftime codes) or "
            "'excel'/'unix'/'unix_ms', in code or in the [read] table of the mapping file"
        )
    timed = [f for f in _with_times([f for f in formats if "%H" not in f and "%I" not in f])]
    formats = list(dict.fromkeys(formats + timed))
    return formats, "; ".join(said) if said else f"'{name}' read with formats {formats[:3]}"
