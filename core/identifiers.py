"""German public-sector identifiers: AGS, Leitweg-ID, tenant slugs from names.

Validation raises ``core.errors.ValidationError`` naming the field and the problem,
so every front end (CLI, API, forms) reports the same message.
"""

from __future__ import annotations

import re

from stdnum.de import leitweg
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from core import gazetteer
from core.errors import ValidationError

#: Abbreviated Gemeinde types in the register ("Altomünster, M").
TYPE_ABBREVIATIONS = {"M": "Markt", "St": "Stadt", "GKSt": "Große Kreisstadt"}

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


#: C0 and C1 controls, and the invisible marks that reorder or hide text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def refuse_control_characters(text: str | None, field: str) -> None:
    """Refuse a name with control characters (line breaks, tabs, NUL, bidi marks):
    they break CSV and mail headers and can disguise a name."""
    if text and CONTROL_CHARACTERS.search(text):
        raise ValidationError(
            "must not contain control characters such as line breaks or tabs",
            field=field,
            code="text.control_characters",
        )


def validate_ags(text: str, field: str = "ags") -> str:
    """The normalised AGS (2, 5 or 8 digits); ``ValidationError`` saying what is wrong."""
    try:
        return gazetteer.validate_ags(text or "")
    except ValueError as exc:
        raise ValidationError(str(exc), field=field) from None


def known_place(text: str, field: str = "ags") -> gazetteer.Place:
    """The gazetteer entry of a well-formed AGS that exists."""
    place = gazetteer.lookup(validate_ags(text, field))
    if place is None:
        raise ValidationError(
            f"AGS {text!r} is not in the municipality register (Gemeindeverzeichnis, "
            "Gebietsstand 30.11.2023)",
            field=field,
        )
    return place


def validate_leitweg_id(text: str, field: str = "leitweg_id") -> str:
    """A valid Leitweg-ID in its canonical form (upper case); ``ValidationError`` else.

    Format: coarse part of 2-12 digits, optional fine part of up to 30 letters and
    digits, two check digits (ISO 7064 MOD 97-10), separated by hyphens.
    """
    value = (text or "").strip().upper()
    try:
        return leitweg.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            f"{text!r} has a wrong check digit (ISO 7064 MOD 97-10)", field=field
        ) from None
    except (InvalidFormat, InvalidLength, InvalidComponent):
        raise ValidationError(
            f"{text!r} is not a Leitweg-ID: expected 2-12 digits, an optional part of up to "
            "30 letters or digits, and two check digits, separated by hyphens "
            "(e.g. 04011000-1234512345-06)",
            field=field,
        ) from None


def leitweg_id_from_ags(ags: str, fine: str | None = None) -> str:
    """A Leitweg-ID whose coarse part is the AGS padded to 8 digits (as many
    municipalities use), with an optional fine part, plus its check digits."""
    from stdnum.iso7064 import mod_97_10

    coarse = validate_ags(ags).ljust(8, "0")
    body = f"{coarse}-{fine.upper()}" if fine else coarse
    return f"{body}-{mod_97_10.calc_check_digits(body.replace('-', ''))}"


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens: "Dülmen, Stadt" -> "duelmen-stadt"."""
    return _NOT_SLUG.sub("-", text.casefold().translate(_TRANSLITERATION)).strip("-")


def suggested_slug(place: gazetteer.Place) -> str:
    """A readable slug for a place: "coesfeld" (Stadt), "kreis-coesfeld", "nordrhein-westfalen"."""
    base = slugify(place.name.split(",", 1)[0])
    if place.kind == "kreis" and not re.search(r"kreis|region", base):
        prefix = "kreis" if place.kreisfrei else slugify(place.type_label)
        return f"{prefix}-{base}"
    return base


def display_name(place: gazetteer.Place) -> str:
    """The everyday name: "Stadt Coesfeld", "Kreis Coesfeld", "Landkreis Marburg-Biedenkopf",
    "Markt Altomünster" (the register abbreviates some types)."""
    name, _, suffix = place.name.partition(",")
    name, suffix = name.strip(), suffix.strip()
    if place.kind == "kreis":
        if place.kreisfrei or re.search(r"kreis|region", name, re.IGNORECASE):
            return f"Stadt {name}" if place.kreisfrei else name
        return f"{place.type_label} {name}"
    if suffix.startswith("gemfr"):
        return name  # gemeindefreies Gebiet: no municipality to name
    if suffix:
        kind = suffix.split(",", 1)[0].strip()
        return f"{TYPE_ABBREVIATIONS.get(kind, kind)} {name}"
    return name
