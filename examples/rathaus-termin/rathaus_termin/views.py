"""The pages under ``/<tenant>/termin/``: citizens book without an account; the office
sees the day's bookings.

Core resolves ``<tenant>`` into ``flask.g.tenant`` and the tenant's scope;
``require_subscription`` answers 404 on tenants that do not subscribe.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from core import (
    ConflictError,
    EmptyForm,
    NotFoundError,
    PortalLink,
    RathausError,
    Tenant,
    ValidationError,
    ratelimit,
    require_subscription,
    session,
    tenant_admin_required,
    utcnow,
)
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from rathaus_termin import SERVICE_KEY
from rathaus_termin.bookings import (
    BookingRequest,
    booking_for_token,
    bookings,
    state,
)
from rathaus_termin.bookings import book as book_slot
from rathaus_termin.bookings import cancel as cancel_booking
from rathaus_termin.bookings import confirm as confirm_booking
from rathaus_termin.calendars import SlotView, bookable_slots, calendar_by_slug, calendars, slot_of
from rathaus_termin.forms import BookingForm
from rathaus_termin.models import TerminBooking, TokenPurpose
from rathaus_termin.settings import setting, timezone

URL_PREFIX = "/<tenant>/termin"


def blueprint() -> Blueprint:
    """The pages' blueprint (a new one per application)."""
    bp = Blueprint(
        "termin",
        __name__,
        url_prefix=URL_PREFIX,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return require_subscription(bp, SERVICE_KEY)


def portal_link(tenant: Tenant) -> PortalLink:
    """The link on the tenant's portal."""
    return PortalLink(
        service=SERVICE_KEY,
        title=_("Book an appointment"),
        url=url_for("termin.index", tenant=tenant.slug),
        description=_("Book, confirm and cancel appointments with the offices online."),
    )


# ---------------------------------------------------------------------------------
# Citizens
# ---------------------------------------------------------------------------------


def index() -> str:
    """The tenant's calendars."""
    return render_template("termin/index.html", calendars=calendars())


def calendar(calendar: str) -> str:
    """Free slots of one calendar, by day."""
    found = _calendar_or_404(calendar)
    return render_template(
        "termin/calendar.html", calendar=found, days=by_day(bookable_slots(found, utcnow()))
    )


def by_day(views: list[SlotView]) -> list[tuple[dt.date, list[SlotView]]]:
    """Slots grouped by their local day."""
    tz = timezone()
    return [
        (day, list(group))
        for day, group in itertools.groupby(
            views, key=lambda view: view.slot.starts_at.astimezone(tz).date()
        )
    ]


def book(calendar: str, slot_id: int) -> Any:
    """The booking form of one slot."""
    found = _calendar_or_404(calendar)
    try:
        slot = slot_of(found, slot_id)
    except NotFoundError:
        abort(404)
    form = BookingForm()
    if form.validate_on_submit():
        if not _within_rate_limit(form.email.data):
            form.form_errors.append(_("Too many booking attempts. Please try again later."))
            return _book_form(found, slot, form), 429
        try:
            book_slot(slot, _request_from(form), now=utcnow(), locale=str(get_locale()))
        except (ValidationError, ConflictError) as exc:
            session.rollback()
            _show_error(form, exc)
        else:
            session.commit()
            flash(
                _(
                    "Almost done: we have sent you an e-mail. Please confirm the appointment with "
                    "the link in it within %(minutes)d minutes.",
                    minutes=setting("TERMIN_CONFIRM_MINUTES"),
                )
            )
            return redirect(url_for(".calendar", calendar=found.slug))
    return _book_form(found, slot, form), 422 if form.errors else 200


def _book_form(calendar: Any, slot: Any, form: BookingForm) -> str:
    retention_days = setting("TERMIN_RETENTION_DAYS")
    return render_template(
        "termin/book.html", calendar=calendar, slot=slot, form=form, retention_days=retention_days
    )


def _request_from(form: BookingForm) -> BookingRequest:
    return BookingRequest(
        name=form.name.data, email=form.email.data, phone=form.phone.data, note=form.note.data
    )


def _within_rate_limit(email: str) -> bool:
    limit = setting("TERMIN_BOOKING_RATE_LIMIT")
    by_address = ratelimit.hit(limit, "termin-book-address", request.remote_addr or "-")
    by_email = ratelimit.hit(limit, "termin-book-email", (email or "").strip().lower())
    return by_address and by_email


def _show_error(form: BookingForm, exc: RathausError) -> None:
    """Show a domain error next to its field, in the visitor's language."""
    messages = {
        ("email", ValidationError): _("Please enter a valid e-mail address."),
        ("email", ConflictError): _(
            "You have booked this time already. Please look for our e-mail."
        ),
        ("slot", ConflictError): _(
            "This time has just been booked by someone else. Please choose another."
        ),
        ("slot", ValidationError): _("This time can no longer be booked. Please choose another."),
    }
    message = messages.get((exc.field, type(exc))) or exc.localized()
    field = getattr(form, exc.field or "", None)
    if field is not None and exc.field in {"name", "email", "phone", "note"}:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def confirm(token: str) -> Any:
    """Show the booking behind a confirmation link; its button confirms it."""
    return _manage(token, TokenPurpose.CONFIRM, confirm_booking)


def cancel(token: str) -> Any:
    """Show the booking behind a cancellation link; its button cancels it."""
    return _manage(token, TokenPurpose.CANCEL, cancel_booking)


def _manage(token: str, purpose: TokenPurpose, action: Any) -> Any:
    try:
        booking = booking_for_token(token, purpose)
    except NotFoundError:
        return render_template("termin/invalid_link.html"), 404
    form, now = EmptyForm(), utcnow()
    if form.validate_on_submit():
        try:
            action(booking, now)
        except ConflictError:
            session.rollback()
        else:
            session.commit()
            return render_template("termin/done.html", booking=booking, purpose=purpose.value)
    current = state(booking, now)
    problem = _problem(purpose, current, booking, now)
    page = render_template(
        "termin/manage.html",
        booking=booking,
        purpose=purpose.value,
        form=form,
        state=current,
        error=problem,
    )
    return page, 409 if problem else 200


def _problem(
    purpose: TokenPurpose, current: str, booking: TerminBooking, now: dt.datetime
) -> str | None:
    """Why the link's action cannot be done (any more), or None."""
    if current == "lapsed":
        return _("The appointment was not confirmed in time and has lapsed. Please book again.")
    if current == "cancelled":
        return _("This appointment has been cancelled.")
    if purpose == TokenPurpose.CANCEL and booking.slot.starts_at <= now:
        return _("The appointment has begun or passed and can no longer be cancelled.")
    return None


def _calendar_or_404(slug: str) -> Any:
    try:
        return calendar_by_slug(slug)
    except NotFoundError:
        abort(404)


# ---------------------------------------------------------------------------------
# The office
# ---------------------------------------------------------------------------------


@tenant_admin_required
def admin() -> str:
    """The bookings of one day (``?day=YYYY-MM-DD``, default today), per calendar."""
    tz = timezone()
    try:
        day = (
            dt.date.fromisoformat(request.args["day"])
            if "day" in request.args
            else dt.datetime.now(tz).date()
        )
    except ValueError:
        abort(400, description=_("The day must be given as YYYY-MM-DD."))
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    listed = bookings(start=start, end=start + dt.timedelta(days=1))
    now = utcnow()
    rows = [(booking, state(booking, now)) for booking in listed]
    return render_template(
        "termin/admin.html",
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        calendars=calendars(include_archived=True),
        rows=rows,
    )


#: Every page: (rule, view, methods); the endpoint is the view's name (``termin.book``).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", index, ["GET"]),
    ("/admin/", admin, ["GET"]),
    ("/confirm/<token>", confirm, ["GET", "POST"]),
    ("/cancel/<token>", cancel, ["GET", "POST"]),
    ("/<calendar>/", calendar, ["GET"]),
    ("/<calendar>/<int:slot_id>", book, ["GET", "POST"]),
]
