"""Controlled vocabularies: fields of engagement, skills, weekly time slots, languages.

Fields and time slots are stored as bit masks, so that "shares a field with the
search" and "overlaps the volunteer's week" are a single integer test in SQL on
SQLite and PostgreSQL alike. The order of each tuple is therefore part of the data
format: append new entries, never reorder or remove them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from babel import Locale
from flask_babel import get_locale, gettext

from core import ValidationError


def _l(message: str) -> str:
    """Mark a label for the catalogue (``scripts/i18n.py`` extracts ``_l``); it stays
    the English message id here and is translated where it is shown, so that a page
    rendering many labels looks the translations up once (see ``matching``)."""
    return message


#: Fields of engagement (Engagementfelder): key -> label. Bit i of a mask is entry i.
FIELDS: dict[str, str] = {
    "sport": _l("Sport and exercise"),
    "culture": _l("Culture and music"),
    "education": _l("Education and learning"),
    "children_youth": _l("Children and youth"),
    "seniors": _l("Older people"),
    "social": _l("Social work and neighbourhood"),
    "health": _l("Health and care"),
    "environment": _l("Environment and nature"),
    "animals": _l("Animal welfare"),
    "integration": _l("Integration and migration"),
    "inclusion": _l("Inclusion"),
    "civil_protection": _l("Fire brigade and civil protection"),
    "democracy": _l("Democracy and participation"),
    "religion": _l("Church and religion"),
    "digital": _l("Digital skills"),
    "heritage": _l("Local heritage and customs"),
}

#: Skills an offer may want and a volunteer may bring.
SKILLS: dict[str, str] = {
    "driving_licence": _l("Driving licence"),
    "crafts": _l("Crafts and repairs"),
    "cooking": _l("Cooking and baking"),
    "it": _l("Computers and IT"),
    "tutoring": _l("Tutoring and teaching"),
    "music": _l("Making music"),
    "coaching": _l("Sports coaching"),
    "first_aid": _l("First aid"),
    "gardening": _l("Gardening"),
    "organising": _l("Organising events"),
    "bookkeeping": _l("Bookkeeping"),
    "media": _l("Design and social media"),
    "care": _l("Care and companionship"),
    "languages": _l("Translating and interpreting"),
}

DAYS: dict[str, str] = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}

PARTS: dict[str, str] = {
    "morning": _l("morning"),
    "afternoon": _l("afternoon"),
    "evening": _l("evening"),
}

#: Weekly time slots ``mon-morning`` ... ``sun-evening``; bit i of a mask is entry i.
SLOTS: tuple[str, ...] = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)

#: Languages offered on the platform's forms (ISO 639-1); any code Babel knows is valid.
COMMON_LANGUAGES: tuple[str, ...] = (
    "de",
    "en",
    "tr",
    "ar",
    "uk",
    "ru",
    "pl",
    "fr",
    "es",
    "it",
    "fa",
    "nl",
)

_FIELD_KEYS = tuple(FIELDS)


def field_mask(keys: Iterable[str]) -> int:
    """The bit mask of field keys; ``ValidationError`` (field ``fields``) for unknown keys."""
    return _mask(keys, _FIELD_KEYS, "fields")


def fields_of(mask: int) -> list[str]:
    """The field keys set in ``mask``, in vocabulary order."""
    return [key for i, key in enumerate(_FIELD_KEYS) if mask & (1 << i)]


def slot_mask(keys: Iterable[str]) -> int:
    """The bit mask of weekly slots (``mon-evening``); unknown keys are refused."""
    return _mask(keys, SLOTS, "time_slots")


def slots_of(mask: int) -> list[str]:
    """The slot keys set in ``mask``."""
    return [key for i, key in enumerate(SLOTS) if mask & (1 << i)]


def _mask(keys: Iterable[str], vocabulary: tuple[str, ...], field: str) -> int:
    mask = 0
    for key in keys:
        if key not in vocabulary:
            raise ValidationError(
                "%(key)r is not one of: %(vocabulary)s",
                field=field,
                code="engagement.vocabulary.unknown_choice",
                key=key,
                vocabulary=", ".join(vocabulary),
            )
        mask |= 1 << vocabulary.index(key)
    return mask


def validate_skills(keys: Iterable[str]) -> list[str]:
    """The skill keys in vocabulary order; unknown keys are refused (field ``skills``)."""
    chosen = set(keys)
    unknown = sorted(chosen - set(SKILLS))
    if unknown:
        raise ValidationError(
            "%(unknown)r is not one of: %(skills)s",
            field="skills",
            code="engagement.vocabulary.skills.unknown_choice",
            unknown=unknown[0],
            skills=", ".join(SKILLS),
        )
    return [key for key in SKILLS if key in chosen]


def validate_languages(codes: Iterable[str]) -> list[str]:
    """Lower-case ISO 639-1 codes that Babel knows, sorted; refuses others (``languages``)."""
    known = Locale("en").languages
    result = set()
    for code in codes:
        code = code.strip().lower()
        if len(code) != 2 or code not in known:
            raise ValidationError(
                "%(given)r is not an ISO 639-1 language code",
                field="languages",
                code="engagement.vocabulary.languages.invalid",
                given=code,
            )
        result.add(code)
    return sorted(result)


Translate = Callable[[str], str]


def field_label(key: str, translate: Translate | None = None) -> str:
    """The translated label of a field of engagement."""
    return (translate or gettext)(FIELDS[key])


def skill_label(key: str, translate: Translate | None = None) -> str:
    """The translated label of a skill."""
    return (translate or gettext)(SKILLS[key])


def slot_label(key: str, translate: Translate | None = None) -> str:
    """``Monday evening`` / ``Montag abends`` for ``mon-evening``."""
    translate = translate or gettext
    day, part = key.split("-")
    return f"{translate(DAYS[day])} {translate(PARTS[part])}"


def language_label(code: str, locale: Locale | None = None) -> str:
    """The language's name in ``locale`` (default: the current one): ``Türkisch``."""
    locale = locale or get_locale() or Locale("de")
    return locale.languages.get(code, code)
