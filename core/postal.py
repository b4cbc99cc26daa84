"""A postcode and a place typed together, as on an envelope: "48653 Coesfeld" or
"Coesfeld 48653" (with or without a comma).

The gazetteer answers such a query with the postcode's point when the name fits the
postcode; :func:`check_postcode_fits_place` says what is wrong when it does not.
"""

from __future__ import annotations

import re

from core.errors import ValidationError

_PLZ_FIRST = re.compile(r"^(\d{5})[\s,]+(\D.*)$")
_PLZ_LAST = re.compile(r"^(\D.*?)[\s,]+(\d{5})$")


def split_postcode_and_place(text: str) -> tuple[str, str] | None:
    """``(plz, place)`` for "48653 Coesfeld" or "Coesfeld, 48653"; None for anything else."""
    text = " ".join((text or "").split())
    first = _PLZ_FIRST.match(text)
    if first:
        return first.group(1), first.group(2).strip(" ,")
    last = _PLZ_LAST.match(text)
    if last:
        return last.group(2), last.group(1).strip(" ,")
    return None


def _names_of_postcode(plz: str) -> list[str]:
    """The names a postcode goes by: its post-office place and its Gemeinden."""
    from core import gazetteer

    code = gazetteer.postcode(plz)
    if code is None:
        return []
    names = [
        code.place,
        *(place.name.split(",", 1)[0] for place in gazetteer.places_for_postcode(plz)),
    ]
    return names


def _folded(name: str) -> set[str]:
    from core.gazetteer import normalize_name

    return {normalize_name(name), normalize_name(name, expand_umlauts=True)} - {""}


def postcode_fits_place(plz: str, place: str) -> bool:
    """Whether ``place`` names the place of the (known) postcode ``plz``: "Dresden"
    fits 01067 (Dresden Innere Altstadt), "Muenster" fits 48143 (Münster)."""
    typed = _folded(place)
    for name in _names_of_postcode(plz):
        for known in _folded(name):
            for query in typed:
                if known == query or known.startswith(query + " ") or query.startswith(known + " "):
                    return True
    return False


def check_postcode_fits_place(text: str, field: str) -> None:
    """Raise a ``ValidationError`` on ``field`` when ``text`` is a known postcode
    together with the name of another place ("48653 Münster")."""
    split = split_postcode_and_place(text)
    if split is None:
        return
    plz, place = split
    names = _names_of_postcode(plz)
    if names and not postcode_fits_place(plz, place):
        raise ValidationError(
            "the postcode %(plz)s belongs to %(actual)s, not to %(place)s",
            field=field,
            code="postcode.place_mismatch",
            plz=plz,
            actual=names[0],
            place=place,
        )
