"""Step 1 of a bulk import: read the Destatis GV100AD file, a simple CSV or the
built-in gazetteer into rows, and validate the ``--land``/``--kreis`` filters.

Every line that cannot be read becomes a :class:`BadLine` with its reason, so the
report names them all; GV100AD records of other levels (Regierungsbezirk, Region,
Gemeindeverband) are not tenants and are counted as ignored. Planning and writing
live in :mod:`plugins.tenants.importing`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import GV100FormatError, ValidationError, gazetteer, parse_line, validate_ags

TENANT_KINDS = ("land", "kreis", "gemeinde")
CSV_COLUMNS = ("ags", "slug", "leitweg_id", "email", "name")
FORMATS = ("auto", "gv100ad", "csv")
GV100AD_LINE = re.compile(r"^\ufeff?\d{10}")


@dataclass(frozen=True)
class BadLine:
    """A line of the file that cannot be imported, and why."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class SourceRow:
    """One tenant as the file describes it."""

    line: int
    ags: str
    name: str | None = None  # the official name (GV100AD); a CSV takes the gazetteer's
    slug: str | None = None
    leitweg_id: str | None = None
    email: str | None = None
    display_name: str | None = None


@dataclass
class Source:
    """What was read from a file."""

    name: str
    format: str
    rows: list[SourceRow] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    ignored: int = 0


def read_source(
    path: str | os.PathLike[str], file_format: str = "auto", name: str | None = None
) -> Source:
    """Read a GV100AD or CSV file; problems of single lines are collected, a file
    that cannot be read at all raises ``ValidationError`` (field ``file``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(
            "cannot read %(path)s: %(strerror)s",
            field="file",
            code="tenants.import.file.unreadable",
            path=path,
            strerror=exc.strerror,
        ) from None
    return parse_source(data, file_format, name or Path(path).name)


def parse_source(data: bytes, file_format: str, name: str) -> Source:
    """Parse a file's bytes (see :func:`read_source`)."""
    if file_format not in FORMATS:
        raise ValidationError(
            "%(file_format)r is not one of %(formats)s",
            field="format",
            code="tenants.import.format.unknown_choice",
            file_format=file_format,
            formats=", ".join(FORMATS),
        )
    if file_format == "auto":
        file_format = _detect(data)
    if file_format == "gv100ad":
        return _read_gv100ad(data, name)
    try:
        return _read_csv(data, name)
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        raise ValidationError(
            "the CSV cannot be read: %(problem)s",
            field="file",
            code="import.csv.unreadable",
            problem=str(exc),
        ) from None


def _detect(data: bytes) -> str:
    first = next((line for line in data.splitlines() if line.strip()), b"")
    text = first.decode("utf-8", errors="replace")
    if GV100AD_LINE.match(text):
        return "gv100ad"
    if "ags" in [
        part.strip().strip('"').lower() for part in re.split(r"[;,]", text.lstrip("\ufeff"))
    ]:
        return "csv"
    raise ValidationError(
        "neither a GV100AD file (fixed-width records) nor a CSV file with a header line "
        "naming an 'ags' column",
        field="file",
        code="tenants.import.file.unknown_format",
    )


def _read_gv100ad(data: bytes, name: str) -> Source:
    source = Source(name, "gv100ad")
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            source.bad.append(BadLine(line_no, None, f"not valid UTF-8 (column {exc.start + 1})"))
            continue
        if line_no == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            record = parse_line(text, line_no)
        except GV100FormatError as exc:
            source.bad.append(BadLine(line_no, None, exc.message))
            continue
        if record.kind in TENANT_KINDS:
            source.rows.append(SourceRow(line_no, record.ags, name=record.name))
        else:
            source.ignored += 1
    return source


def _read_csv(data: bytes, name: str) -> Source:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            "line %(line_no)s is not valid UTF-8; save the CSV as UTF-8",
            field="file",
            code="tenants.import.file.not_utf8",
            line_no=line_no,
        ) from None
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [(column or "").strip().lower() for column in reader.fieldnames or []]
    unknown = [column for column in columns if column not in CSV_COLUMNS]
    if unknown:
        raise ValidationError(
            "unknown column(s) %(columns)s; known: %(csv_columns)s",
            field="file",
            code="tenants.import.file.unknown_columns",
            columns=", ".join(map(repr, unknown)),
            csv_columns=", ".join(CSV_COLUMNS),
        )
    reader.fieldnames = columns
    source = Source(name, "csv")
    for record in reader:
        line_no = reader.line_num
        if None in record:
            source.bad.append(
                BadLine(line_no, None, f"more values than the {len(columns)} columns of the header")
            )
            continue
        values = {key: (value or "").strip() for key, value in record.items()}
        if not any(values.values()):
            continue
        source.rows.append(
            SourceRow(
                line_no,
                values.get("ags", ""),
                slug=values.get("slug") or None,
                leitweg_id=values.get("leitweg_id") or None,
                email=values.get("email") or None,
                display_name=values.get("name") or None,
            )
        )
    return source


def gazetteer_source(filters: Filters) -> Source:
    """The built-in gazetteer as an import source: the Land or Kreis of ``filters``
    with everything in it (all of Germany without a filter). Rows are numbered like
    lines in AGS order, so reports read as for a file."""
    prefix = filters.kreis or filters.land or ""
    places = gazetteer.places_under(prefix)
    rows = [
        SourceRow(number, place.ags, name=place.name)
        for number, place in enumerate(places, start=1)
    ]
    return Source("gazetteer", "gazetteer", rows=rows)


@dataclass
class Filters:
    """Import only the places in one Land or one Kreis."""

    land: str | None = None
    kreis: str | None = None

    def covers(self, ags: str) -> bool:
        """Whether ``ags`` lies in the filter (a Kreis filter leaves out the Land)."""
        prefix = self.kreis or self.land
        return prefix is None or ags.startswith(prefix)


def check_filters(land: str | None, kreis: str | None) -> Filters:
    """Validate ``--land``/``--kreis``: a known Land (2 digits) and Kreis (5 digits)."""
    if land is not None:
        land = validate_ags(land, "land")
        if len(land) != 2 or gazetteer.lookup(land) is None:
            raise ValidationError(
                "%(land)r is not a Land key (2 digits, 01-16)",
                field="land",
                code="tenants.import.land.invalid",
                land=land,
            )
    if kreis is not None:
        kreis = validate_ags(kreis, "kreis")
        place = gazetteer.lookup(kreis)
        if len(kreis) != 5 or place is None:
            raise ValidationError(
                "%(kreis)r is not the key of a Kreis (5 digits)",
                field="kreis",
                code="tenants.import.kreis.invalid",
                kreis=kreis,
            )
        if land is not None and not kreis.startswith(land):
            raise ValidationError(
                "Kreis %(kreis)s (%(place_name)s) does not lie in Land %(land)s",
                field="kreis",
                code="tenants.import.kreis.other_land",
                kreis=kreis,
                place_name=place.name,
                land=land,
            )
    return Filters(land, kreis)
