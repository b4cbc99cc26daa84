"""What every audience's pages share: the signed-in person, today, a failed form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template

from core import RathausError, User, current_principal
from plugins.engagement import forms


def current_user() -> User | None:
    """The signed-in person, if any."""
    return current_principal().user


def today() -> dt.date:
    """Today's date, for what a page shows and checks."""
    return dt.date.today()


def fail(template: str, form: Any, error: RathausError, **context: Any) -> tuple[str, int]:
    """The form again with the error in its summary and beside its field."""
    forms.show_error(form, error)
    return render_template(template, form=form, **context), error.status
