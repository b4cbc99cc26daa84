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
    key = "".join((text or "").split())
    if not key:
        raise ValidationError("AGS is empty", field=field, code="identifier.ags.required")
    if not (key.isascii() and key.isdigit()):
        raise ValidationError(
            "AGS %(text)r contains non-digits; only 0-9 are allowed",
            field=field,
            code="identifier.ags.not_digits",
            text=text,
        )
    if len(key) not in (2, 5, 8):
        raise ValidationError(
            "AGS %(text)r has %(count)s digits; it must have 2 (Land), 5 (Kreis) or 8 (Gemeinde)",
            field=field,
            code="identifier.ags.length",
            text=text,
            count=len(key),
        )
    if not "01" <= key[:2] <= "16":
        raise ValidationError(
            "AGS %(text)r has unknown Land prefix %(prefix)r; it must be 01–16",
            field=field,
            code="identifier.ags.land",
            text=text,
            prefix=key[:2],
        )
    return gazetteer.validate_ags(key)


def known_place(text: str, field: str = "ags") -> gazetteer.Place:
    """The gazetteer entry of a well-formed AGS that exists."""
    place = gazetteer.lookup(validate_ags(text, field))
    if place is None:
        raise ValidationError(
            "AGS %(text)r is not in the municipality register (Gemeindeverzeichnis, "
            "Gebietsstand 30.11.2023)",
            field=field,
            code="identifier.ags.unknown",
            text=text,
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
            "%(text)r has a wrong check digit (ISO 7064 MOD 97-10)",
            field=field,
            code="identifier.leitweg_id.check_digit",
            text=text,
        ) from None
    except (InvalidFormat, InvalidLength, InvalidComponent):
        raise ValidationError(
            "%(text)r is not a Leitweg-ID: expected 2-12 digits, an optional part of up to "
            "30 letters or digits, and two check digits, separated by hyphens (e.g. "
            "04011000-1234512345-06)",
            field=field,
            code="identifier.leitweg_id.invalid",
            text=text,
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


# ---------------------------------------------------------------------------------
# One tenant per Kommune
# ---------------------------------------------------------------------------------
# A kreisfreie Stadt is in the register twice (as a Kreis, 05515, and as its one
# Gemeinde, 05515000), a Stadtstaat three times (Land 11, Kreis 11000, Gemeinde
# 11000000). The platform keys such a Kommune by its Gemeinde AGS; the other keys
# are its aliases.


def _only_child(place: gazetteer.Place) -> gazetteer.Place | None:
    kids = gazetteer.children(place.ags)
    return kids[0] if len(kids) == 1 else None


def municipality_place(place: gazetteer.Place) -> gazetteer.Place:
    """The place a tenant for ``place`` is keyed by: the Gemeinde of a kreisfreie
    Stadt for its Kreis key, the Gemeinde of a Stadtstaat for its Land or Kreis key,
    ``place`` itself otherwise."""
    if place.kind == "land":
        kreis = _only_child(place)
        if kreis is None or not kreis.kreisfrei:
            return place
        place = kreis
    if place.kind == "kreis" and place.kreisfrei:
        return _only_child(place) or place
    return place


def alias_keys(place: gazetteer.Place) -> list[str]:
    """The other register keys of the same Kommune (Land first): ``["05515"]`` for
    Münster (05515000), ``["11", "11000"]`` for Berlin, ``[]`` for most places."""
    if place.kind != "gemeinde":
        return []
    keys = []
    for key in (place.land_ags, place.kreis_ags):
        other = gazetteer.lookup(key) if key else None
        if other is not None and municipality_place(other).ags == place.ags:
            keys.append(key)
    return keys


def tenant_kind_of(place: gazetteer.Place) -> str:
    """The tenant kind of a place keyed by :func:`municipality_place`:
    ``land``, ``kreis``, ``gemeinde``, ``kreisfreie_stadt`` or ``stadtstaat``."""
    aliases = alias_keys(place)
    if place.land_ags in aliases:
        return "stadtstaat"
    if aliases:
        return "kreisfreie_stadt"
    return place.kind


def parent_keys(place: gazetteer.Place) -> list[str]:
    """Keys of the tenants that may be above ``place``, nearest first (Kreis, Land);
    a kreisfreie Stadt's own Kreis key is an alias, not an ancestor."""
    aliases = alias_keys(place)
    return [
        key
        for key in (place.ags[:5], place.ags[:2])
        if len(key) < len(place.ags) and key not in aliases
    ]


def tenant_place(text: str, field: str = "ags") -> gazetteer.Place:
    """The place a tenant for the AGS ``text`` is keyed by (see
    :func:`municipality_place`); ``ValidationError`` for a malformed or unknown AGS."""
    return municipality_place(known_place(text, field))
