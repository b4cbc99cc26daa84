"""Streaming parser for the Destatis Gemeindeverzeichnis GV100AD (fixed-width text).

Used by the gazetteer build (``scripts/build_gazetteer.py``) and by bulk tenant imports
from user-supplied files, so every malformed line raises a :class:`GV100FormatError`
naming the line and the problem instead of yielding half-parsed records.

Record layout (0-based Python slices; column numbers in error messages are 1-based as in
the Destatis record description). The offsets were checked against GV100AD_301123:

=============  ==========================================================================
``[0:2]``      Satzart: 10 Land, 20 Regierungsbezirk, 30 Region (only Baden-Württemberg),
               40 Kreis, 50 Gemeindeverband, 60 Gemeinde
``[2:10]``     Gebietsstand, YYYYMMDD
``[10:12]``    Land; ``[12:13]`` Regierungsbezirk; ``[13:14]`` Region (Satzart 30);
               ``[13:15]`` Kreis
``[15:18]``    Gemeinde (Satzart 60)
``[18:22]``    Gemeindeverband (Satzart 50 and 60)
``[22:72]``    name
``[72:122]``   Sitz der Verwaltung (blank for Gemeinden)
``[122:124]``  Textkennzeichen (Satzart 40, 50, 60)
``[128:139]``  area in hectares (60); ``[139:150]`` population (60); ``[150:161]`` of which male
``[165:170]``  PLZ of the town hall (60); ``[170:175]`` ``*****`` if the Gemeinde has several
=============  ==========================================================================

Note: some descriptions of the format put the Gemeindeverband at ``[15:19]`` and the
Gemeinde at ``[19:22]``. In the Destatis file it is the other way round; the two readings
only agree where the Verband key is ``0`` + Gemeinde key (common in NRW), so the NRW
examples look right either way while e.g. Gaiberg would get 08226005 instead of 08226022.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

RECORD_LENGTH = 220

KINDS_BY_SATZART: dict[int, str] = {
    10: "land",
    20: "regierungsbezirk",
    30: "region",
    40: "kreis",
    50: "gemeindeverband",
    60: "gemeinde",
}

# Valid Textkennzeichen per Satzart (Destatis record description). Unknown codes are an
# error rather than passed through: a newer file with new codes needs a code review here.
TEXTKENNZEICHEN: dict[int, dict[int, str]] = {
    40: {
        41: "kreisfreie Stadt",
        42: "Stadtkreis",
        43: "Kreis",
        44: "Landkreis",
        45: "Regionalverband",
    },
    50: {
        50: "verbandsfreie Gemeinde",
        51: "Amt",
        52: "Samtgemeinde",
        53: "Verbandsgemeinde",
        54: "Verwaltungsgemeinschaft",
        55: "Kirchspielslandgemeinde",
        56: "Verwaltungsverband",
        57: "Verwaltungsgemeinschaft (Trägermodell)",
        58: "erfüllende Gemeinde",
    },
    60: {
        60: "Markt",
        61: "kreisfreie Stadt",
        62: "Stadtkreis",
        63: "Stadt",
        64: "kreisangehörige Gemeinde",
        65: "gemeindefreies Gebiet, bewohnt",
        66: "gemeindefreies Gebiet, unbewohnt",
        67: "große Kreisstadt",
    },
}

# Key fields per Satzart as (start, end) slices. Each must be all digits; the record's
# own key is their concatenation, except that a Gemeinde's AGS leaves out the Verband.
_KEY_FIELDS: dict[int, tuple[tuple[int, int], ...]] = {
    10: ((10, 12),),
    20: ((10, 13),),
    30: ((10, 14),),
    40: ((10, 15),),
    50: ((10, 15), (18, 22)),
    60: ((10, 15), (15, 18), (18, 22)),
}

# Shortest line that still carries every mandatory field of the Satzart. Files whose
# trailing blanks were stripped by an editor stay readable.
_MIN_LENGTH: dict[int, int] = {10: 23, 20: 23, 30: 23, 40: 124, 50: 124, 60: 150}


class GV100FormatError(ValueError):
    """A GV100AD line that cannot be parsed; ``line_no`` is 1-based."""

    def __init__(self, line_no: int, message: str) -> None:
        """Store the line number and message; str() gives 'line N: message'."""
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no
        self.message = message


@dataclass(frozen=True, slots=True)
class GV100Record:
    """One parsed GV100AD record.

    ``ags`` is the record's own key: 2 digits (Land), 3 (Regierungsbezirk), 4 (Region),
    5 (Kreis), 9 (Gemeindeverband: Kreis + 4-digit Verband) or 8 (Gemeinde, the AGS).
    ``ars`` is the Amtlicher Regionalschlüssel (12 digits) for Gemeinden and the 9-digit
    Verband key for Gemeindeverbände, None otherwise. Population, area and PLZ exist only
    for Gemeinden. ``several_plz`` is the file's "*****" marker for a Gemeinde with more
    PLZ than ``plz``; Destatis does not set it everywhere it applies (Wittstock/Dosse).
    """

    line_no: int
    satzart: int
    ags: str
    name: str
    kind: str
    textkennzeichen: int | None
    population: int | None
    area_ha: int | None
    plz: str | None
    several_plz: bool
    seat: str | None
    ars: str | None
    gebietsstand: datetime.date


def parse_gv100ad(
    lines: Iterable[str], kinds: Collection[str] | None = None
) -> Iterator[GV100Record]:
    """Parse GV100AD lines lazily into :class:`GV100Record` objects.

    ``lines`` are text lines (with or without line endings), e.g. an open file. Blank
    lines are skipped. ``kinds`` restricts the output to some of "land",
    "regierungsbezirk", "region", "kreis", "gemeindeverband", "gemeinde"; every line is
    still validated. Raises :class:`GV100FormatError` on the first malformed line and
    ValueError at once for an unknown kind.
    """
    wanted = _check_kinds(kinds)
    return _parse(lines, wanted)


def read_gv100ad(
    path: str | os.PathLike[str], kinds: Collection[str] | None = None
) -> Iterator[GV100Record]:
    """Parse a GV100AD file (UTF-8, as published since 2023) lazily.

    Decoding happens line by line so that a file in another encoding fails with a
    :class:`GV100FormatError` naming the first offending line instead of a bare
    UnicodeDecodeError.
    """
    wanted = _check_kinds(kinds)
    return _parse(_decoded_lines(path), wanted)


def _check_kinds(kinds: Collection[str] | None) -> frozenset[str]:
    """Validate the ``kinds`` filter eagerly (generators would report it too late)."""
    if kinds is None:
        return frozenset(KINDS_BY_SATZART.values())
    unknown = sorted(set(kinds) - set(KINDS_BY_SATZART.values()))
    if unknown:
        known = ", ".join(KINDS_BY_SATZART.values())
        raise ValueError(f"unknown record kind(s) {', '.join(unknown)}; known: {known}")
    return frozenset(kinds)


def _decoded_lines(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield the lines of ``path`` decoded as UTF-8, failing with the line number."""
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise GV100FormatError(
                    line_no,
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1});"
                    " GV100AD files are expected in UTF-8",
                ) from None


def _parse(lines: Iterable[str], wanted: frozenset[str]) -> Iterator[GV100Record]:
    """Generator behind :func:`parse_gv100ad`."""
    for line_no, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if line_no == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        record = parse_line(text, line_no)
        if record.kind in wanted:
            yield record


def parse_line(text: str, line_no: int = 1) -> GV100Record:
    """Parse one GV100AD line (without line ending); raises :class:`GV100FormatError`."""
    satzart = _satzart(text, line_no)
    if len(text) < _MIN_LENGTH[satzart]:
        raise GV100FormatError(
            line_no,
            f"line too short: {len(text)} characters, Satzart {satzart} needs at least"
            f" {_MIN_LENGTH[satzart]}",
        )
    if len(text) > RECORD_LENGTH:
        raise GV100FormatError(
            line_no,
            f"line too long: {len(text)} characters, GV100AD records have {RECORD_LENGTH}",
        )
    text = text.ljust(RECORD_LENGTH)
    is_gemeinde = satzart == 60
    return GV100Record(
        line_no=line_no,
        satzart=satzart,
        ags=_ags(text, satzart, line_no),
        name=_name(text, line_no),
        kind=KINDS_BY_SATZART[satzart],
        textkennzeichen=_textkennzeichen(text, satzart, line_no),
        population=_number(text, 139, 150, "population", line_no) if is_gemeinde else None,
        area_ha=_number(text, 128, 139, "area", line_no) if is_gemeinde else None,
        plz=_plz(text, line_no) if is_gemeinde else None,
        several_plz=is_gemeinde and text[170:175] == "*****",
        seat=text[72:122].strip() or None,
        ars=_ars(text, satzart),
        gebietsstand=_gebietsstand(text, line_no),
    )


def _is_digits(text: str) -> bool:
    """True for a non-empty ASCII digit string (str.isdigit also accepts '²' etc.)."""
    return text.isascii() and text.isdigit()


def _satzart(text: str, line_no: int) -> int:
    """Read and check the Satzart in columns 1-2."""
    code = text[0:2]
    if _is_digits(code) and int(code) in KINDS_BY_SATZART:
        return int(code)
    known = ", ".join(str(s) for s in KINDS_BY_SATZART)
    raise GV100FormatError(line_no, f"unknown Satzart {code!r} (expected one of {known})")


def _gebietsstand(text: str, line_no: int) -> datetime.date:
    """Read the Gebietsstand (columns 3-10, YYYYMMDD)."""
    raw = text[2:10]
    try:
        if not _is_digits(raw):
            raise ValueError
        return datetime.date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise GV100FormatError(
            line_no, f"bad Gebietsstand {raw!r} in columns 3-10 (expected a date YYYYMMDD)"
        ) from None


def _ags(text: str, satzart: int, line_no: int) -> str:
    """Return the record's own key after checking that all key fields are digits."""
    for start, end in _KEY_FIELDS[satzart]:
        if not _is_digits(text[start:end]):
            raise GV100FormatError(
                line_no, f"non-digit key {text[start:end]!r} in columns {start + 1}-{end}"
            )
    if satzart == 60:
        return text[10:18]
    return "".join(text[start:end] for start, end in _KEY_FIELDS[satzart])


def _ars(text: str, satzart: int) -> str | None:
    """Regionalschlüssel: Kreis + Verband (+ Gemeinde); keys were validated by _ags."""
    if satzart == 60:
        return text[10:15] + text[18:22] + text[15:18]
    if satzart == 50:
        return text[10:15] + text[18:22]
    return None


def _name(text: str, line_no: int) -> str:
    """Read the name (columns 23-72), which must not be blank."""
    name = text[22:72].strip()
    if not name:
        raise GV100FormatError(line_no, "empty name in columns 23-72")
    return name


def _textkennzeichen(text: str, satzart: int, line_no: int) -> int | None:
    """Read the Textkennzeichen (columns 123-124) for Satzart 40/50/60."""
    codes = TEXTKENNZEICHEN.get(satzart)
    if codes is None:
        return None
    raw = text[122:124]
    if _is_digits(raw) and int(raw) in codes:
        return int(raw)
    valid = ", ".join(str(c) for c in codes)
    raise GV100FormatError(
        line_no,
        f"bad Textkennzeichen {raw!r} in columns 123-124 for Satzart {satzart}"
        f" (expected one of {valid})",
    )


def _number(text: str, start: int, end: int, what: str, line_no: int) -> int:
    """Read a zero-padded unsigned number from ``text[start:end]``."""
    raw = text[start:end]
    if not _is_digits(raw):
        raise GV100FormatError(
            line_no, f"bad {what} {raw!r} in columns {start + 1}-{end} (expected digits)"
        )
    return int(raw)


def _plz(text: str, line_no: int) -> str | None:
    """Read the town-hall PLZ (columns 166-170); blank for most gemeindefreie Gebiete."""
    raw = text[165:170]
    if not raw.strip():
        return None
    if not _is_digits(raw):
        raise GV100FormatError(
            line_no, f"bad PLZ {raw!r} in columns 166-170 (expected 5 digits or blank)"
        )
    return raw
