"""Numbers out of range are the caller's error, not ours: 404 or 400, never 500.

A path like ``/offers/52779216675...`` matched Werkzeug's ``int`` converter, and the
number then overflowed the database driver (``OverflowError`` on SQLite, "out of
range" on PostgreSQL). Path integers are bounded to the range of an integer column,
so a larger one simply does not match (404); a number out of range that reaches the
database from a query string or a body answers 400.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest value of an ``Integer`` column (PostgreSQL ``integer``, 32 bits): ids
#: are integers, so a larger path id can name nothing, on SQLite and PostgreSQL alike.
MAX_INT = 2**31 - 1
#: SQLSTATE numeric_value_out_of_range.
OUT_OF_RANGE = "22003"


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, at most :data:`MAX_INT` unless told otherwise."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound ``<int:...>`` in every route added from now on; answer overflow with 400."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.register_error_handler(OverflowError, _too_large)
    app.register_error_handler(DataError, _data_error)


def _too_large(_error: Exception) -> Any:
    from flask_babel import gettext as _

    from core.db import session

    session.rollback()
    return current_app.handle_http_exception(
        BadRequest(description=_("A number in the request is too large."))
    )


def _data_error(error: DataError) -> Any:
    if getattr(error.orig, "sqlstate", None) == OUT_OF_RANGE:
        return _too_large(error)
    from core.web import _handle_unexpected

    return _handle_unexpected(error)
