"""Reasons why an offer matches, as sentences in the reader's language.

Rendered only for the results shown: :func:`reason_texts` looks the catalogue up
once per request for all of a page's reasons.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import g
from flask_babel import get_locale, get_translations

from plugins.engagement import vocabulary
from plugins.engagement.vocabulary import _l


@dataclass(frozen=True)
class Reason:
    """One reason why an offer matches; ``text`` is in the current language."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        return reason_texts([self])[0]


def reason_texts(reasons: list[Reason]) -> list[str]:
    """The sentences for ``reasons`` in the current language (translations looked up
    once for all of them: a results page shows about a hundred)."""
    translate, locale = _catalogue()
    return [_reason_text(r.code, dict(r.params), translate, locale) for r in reasons]


def _catalogue() -> tuple[Callable[[str], str], Locale]:
    """The current language's ``gettext`` and locale. Flask-Babel's look-up of the
    translations costs more than rendering a few reasons, and every result's reasons
    ask for it: it is kept for the rest of the request (``g``, which core clears at
    the end of each request), as long as the locale stays the same."""
    locale = get_locale()
    cached = g.get("_engagement_catalogue")
    if cached is None or cached[0] is not locale:
        cached = g._engagement_catalogue = (locale, get_translations().gettext)
    return cached[1], locale


def _reason_text(code: str, params: dict[str, Any], translate: Any, locale: Any) -> str:
    """The sentence a citizen reads for a reason."""
    if code == "distance":
        km = _decimal_km(params["km"], locale)
        return translate("%(km)s km from %(place)s") % {"km": km, "place": params["place"]}
    if code in _LISTS:
        message, label, keys_of = _LISTS[code]
        keys = keys_of(params["mask"]) if "mask" in params else params["keys"]
        names = ", ".join(label(key, translate) for key in keys)
        return translate(message) % {"names": names}
    if code == "language":
        names = ", ".join(vocabulary.language_label(c, locale) for c in params["codes"])
        return translate("Possible in %(names)s") % {"names": names}
    if code == "text":
        return translate("Contains your search words: %(q)s") % {"q": params["q"]}
    return translate(_SENTENCES[code])


def _decimal_km(km: float, locale: Locale) -> str:
    """``km`` to one decimal in the locale's notation, as Babel's
    ``format_decimal(round(km, 1), "#,##0.0", locale=locale)`` writes it ("12,5"), but
    without parsing the pattern for each of a page's many distances."""
    decimal, group = _number_symbols(str(locale))
    text = f"{round(km, 1):,.1f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


@functools.cache
def _number_symbols(locale: str) -> tuple[str, str]:
    return get_decimal_symbol(locale), get_group_symbol(locale)


_LISTS = {
    "fields": (
        _l("Matches your interests: %(names)s"),
        vocabulary.field_label,
        vocabulary.fields_of,
    ),
    "skills": (_l("Wants your skills: %(names)s"), vocabulary.skill_label, None),
    "availability": (
        _l("Fits your free time: %(names)s"),
        vocabulary.slot_label,
        vocabulary.slots_of,
    ),
}
_SENTENCES = {
    "remote": _l("Can be done from home"),
    "own": _l("Offered in your municipality"),
    "reach_kreis": _l("Open to everyone in the Kreis"),
    "reach_land": _l("Open to everyone in the Land"),
    "reach_local": _l("Offered nearby"),
    "waitlist": _l("All places taken – the waiting list is open"),
}
# Only for the catalogue: the messages above with parameters, as gettext sees them.
_l("%(km)s km from %(place)s")
_l("Possible in %(names)s")
_l("Contains your search words: %(q)s")
