"""The words people read for the identifiers the code uses: status values, actions,
service keys. One place for core and the plugins, so a status reads the same on every
page, in every table and inside error messages.

    label("draft")                               Entwurf / Draft
    label(RequestStatus.REQUESTED)               Wartet auf Antwort (the enum's own word)
    label("requested", "RequestStatus")          the same, for a plain value
    labelled_params({"status": "draft"})         {"status": "Entwurf"}

Plugins add the words of their own values with :func:`register` at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

#: Status words shared by core and the plugins.
STATUS_LABELS: dict[str, Any] = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "published": _l("Published"),
    "paused": _l("Paused"),
    "declined": _l("Declined"),
    "rejected": _l("Rejected"),
    "archived": _l("Archived"),
    "expired": _l("Expired"),
    "final": _l("Final"),
    "cancelled": _l("Cancelled"),
    "paid": _l("Paid"),
    "open": _l("Open"),
    "pending": _l("Pending"),
    "requested": _l("Requested"),
    "accepted": _l("Accepted"),
    "withdrawn": _l("Withdrawn"),
    "completed": _l("Completed"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "offboarded": _l("Offboarded"),
    "scheduled": _l("Scheduled"),
    "ended": _l("Ended"),
}

#: What people can do to a record (the ``action`` of a status change).
ACTION_LABELS: dict[str, Any] = {
    "submit": _l("Submit"),
    "publish": _l("Publish"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "archive": _l("Archive"),
    "activate": _l("Activate"),
    "suspend": _l("Suspend"),
    "offboard": _l("Offboard"),
}

#: Words of one kind of value where it differs from the shared word, by kind
#: (an enum's class name, or a name a plugin chooses).
KIND_LABELS: dict[str, dict[str, Any]] = {}

#: Parameters of error messages whose values are identifiers to show as words.
LABELLED_PARAMS = {"status": STATUS_LABELS, "action": ACTION_LABELS, "allowed": STATUS_LABELS}


def register(kind: str, labels: Mapping[str, Any]) -> None:
    """Add (or override) the words of one kind of value, e.g. ``register("RequestStatus",
    {"requested": _l("Waiting for an answer")})``."""
    KIND_LABELS.setdefault(kind, {}).update(labels)


def label(value: Any, kind: str | None = None) -> str:
    """The word people read for a status value or enum member (unknown values unchanged)."""
    key = str(getattr(value, "value", value))
    kind = kind or (type(value).__name__ if hasattr(value, "value") else None)
    found = KIND_LABELS.get(kind or "", {}).get(key)
    if found is None:
        found = STATUS_LABELS.get(key)
    return str(found) if found is not None else key


def action_label(value: Any) -> str:
    """The word for an action (``suspend`` → Sperren); unknown actions unchanged."""
    key = str(getattr(value, "value", value))
    found = ACTION_LABELS.get(key)
    return str(found) if found is not None else key


def _words(value: Any, labels: Mapping[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    parts = value.split(" or ")
    if not all(part in labels for part in parts):
        return value
    return gettext(" or ").join(_inside_a_sentence(str(labels[part])) for part in parts)


def _inside_a_sentence(word: str) -> str:
    """A label as it stands inside an English sentence: "Published" -> "published".
    German keeps its capitals (nouns, and the translations quote the label)."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None and locale.language != "en":
        return word
    return word[:1].lower() + word[1:]


def labelled_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Error-message parameters with status words and actions as labels in the
    current language (``"active or suspended"`` → ``Aktiv oder Gesperrt``)."""
    return {
        name: _words(getattr(value, "value", value), LABELLED_PARAMS[name])
        if name in LABELLED_PARAMS
        else value
        for name, value in params.items()
    }
