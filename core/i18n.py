"""German first, English too: Flask-Babel with one catalogue folder per package.

The locale is the visitor's choice (the ``lang`` cookie set by the language switch),
else the best match of ``Accept-Language``, else German. Message ids are English;
``translations/de`` holds the German texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel

LOCALE_COOKIE = "lang"
CORE_TRANSLATIONS = Path(__file__).parent / "translations"

#: Domain error classes (``core.errors``) whose first argument is an English message
#: template: Babel extracts it like a ``gettext`` call, ``RathausError.localized``
#: translates it on pages.
ERROR_KEYWORDS = {
    name: None
    for name in (
        "RathausError",
        "ValidationError",
        "NotFoundError",
        "ConflictError",
        "PermissionDenied",
        "RathausValidationError",
    )
}
#: Everything Babel extracts from a package: gettext calls and domain error templates.
EXTRACT_KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    **ERROR_KEYWORDS,
}


def select_locale() -> str:
    """The locale for the current request; the default locale outside requests
    (commands, mails queued by jobs)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    supported = current_app.config["LOCALES"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask, plugin_paths: Iterable[Path | None]) -> None:
    """Set up Babel with core's catalogue plus every loaded plugin's ``translations``."""
    folders = [CORE_TRANSLATIONS]
    folders += [
        path / "translations" for path in plugin_paths if path and (path / "translations").is_dir()
    ]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(folder) for folder in folders)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Berlin"
    Babel(app, locale_selector=select_locale)


def catalogue_messages(catalog: Iterable) -> dict[tuple[str | None, object], object]:
    """The translations a compiled catalogue serves: ``(context, id) -> text``.

    The header entry (empty id) is left out: it names the Babel version that wrote the
    file, so comparing it would call a catalogue stale whenever Babel is upgraded.
    Fuzzy and untranslated entries are left out because ``write_mo`` skips them too.
    """
    return {
        (message.context, _key(message.id)): _key(message.string)
        for message in catalog
        if message.id and not message.fuzzy and _has_text(message.string)
    }


def compiled_is_current(po_catalog: Iterable, mo_path: Path) -> bool:
    """Whether the ``.mo`` file at ``mo_path`` serves exactly the ``.po`` catalogue's
    translations (compared message by message, not byte by byte)."""
    from babel.messages.mofile import read_mo

    if not mo_path.exists():
        return False
    with mo_path.open("rb") as handle:
        compiled = read_mo(handle)
    return catalogue_messages(compiled) == catalogue_messages(po_catalog)


def _key(value: object) -> object:
    # Plural ids and texts are tuples in a .po catalogue but lists when read from a .mo.
    return tuple(value) if isinstance(value, list) else value


def _has_text(string: str | tuple[str, ...] | None) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)
