"""The citizen's mails, queued in core's outbox (``rathaus mail send`` delivers them).

Each mail is queued in the transaction of the change it reports, under a category
starting with ``termin.`` and a dedup key unique to the booking and the kind of mail,
so a job that runs twice queues nothing twice. Mails are written in the language the
citizen booked in.
"""

from __future__ import annotations

from core import Tenant, queue_mail, session
from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _

from rathaus_termin.models import TerminBooking
from rathaus_termin.settings import setting

CATEGORY = "termin."


def link(tenant: Tenant, path: str) -> str:
    """An absolute link to a page of the service at ``tenant``."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/{tenant.slug}/termin/{path.lstrip('/')}"


def summary(booking: TerminBooking, tenant: Tenant) -> str:
    """What, when, where and the reference, as lines of text."""
    slot, calendar = booking.slot, booking.slot.calendar
    lines = [
        f"{calendar.name} – {tenant.title}",
        _(
            "%(date)s at %(time)s",
            date=format_date(slot.starts_at, "full"),
            time=format_time(slot.starts_at, "short"),
        ),
    ]
    if calendar.location:
        lines.append(_("Location: %(location)s", location=calendar.location))
    lines.append(_("Reference: %(reference)s", reference=booking.reference))
    return "\n".join(lines)


def _queue(
    booking: TerminBooking, kind: str, subject: str, paragraphs: list[str], tenant: Tenant
) -> bool:
    body = "\n\n".join([_("Hello %(name)s,", name=booking.name), *paragraphs]) + "\n"
    queued = queue_mail(
        booking.email,
        subject,
        body,
        category=CATEGORY + kind,
        tenant=tenant,
        dedup_key=f"termin:{tenant.id}:{booking.id}:{kind}",
    )
    return queued is not None


def _tenant(booking: TerminBooking) -> Tenant:
    return session.get(Tenant, booking.tenant_id)


def confirmation_request(booking: TerminBooking, token: str) -> bool:
    """Ask the citizen to confirm the booking (double opt-in)."""
    tenant = _tenant(booking)
    with force_locale(booking.locale):
        return _queue(
            booking,
            "confirm",
            _("Please confirm your appointment"),
            [
                _("Please confirm your appointment:"),
                summary(booking, tenant),
                _("Confirm: %(link)s", link=link(tenant, f"confirm/{token}")),
                _(
                    "Without confirmation the reservation lapses after %(minutes)d minutes. "
                    "If you did not book this appointment, please ignore this mail.",
                    minutes=setting("TERMIN_CONFIRM_MINUTES"),
                ),
            ],
            tenant,
        )


def confirmed(booking: TerminBooking, token: str) -> bool:
    """Tell the citizen the appointment is confirmed, with a cancellation link."""
    with force_locale(booking.locale):
        return _with_cancel_link(
            booking,
            token,
            "confirmed",
            _("Your appointment is confirmed"),
            _("Your appointment is confirmed:"),
            _("If you cannot come, please cancel it: %(link)s"),
        )


def reminder(booking: TerminBooking, token: str) -> bool:
    """Remind the citizen of the appointment, with a cancellation link."""
    with force_locale(booking.locale):
        return _with_cancel_link(
            booking,
            token,
            "reminder",
            _("Reminder of your appointment"),
            _("We remind you of your appointment:"),
            _("If you cannot come, please cancel it so that someone else can have it: %(link)s"),
        )


def _with_cancel_link(
    booking: TerminBooking, token: str, kind: str, subject: str, intro: str, cancel_text: str
) -> bool:
    """A mail about a confirmed booking: intro, summary, and ``cancel_text`` with the link
    filled in for ``%(link)s`` (texts already translated)."""
    tenant = _tenant(booking)
    cancel = cancel_text % {"link": link(tenant, f"cancel/{token}")}
    return _queue(booking, kind, subject, [intro, summary(booking, tenant), cancel], tenant)


def cancelled(booking: TerminBooking) -> bool:
    """Confirm a cancellation to the citizen (saying who cancelled)."""
    tenant = _tenant(booking)
    book_again = link(tenant, f"{booking.slot.calendar.slug}/")
    with force_locale(booking.locale):
        reason = (
            _(
                "The office had to cancel it. We apologise; "
                "please book a new appointment: %(link)s",
                link=book_again,
            )
            if booking.cancelled_by == "office"
            else _("You can book a new appointment at any time: %(link)s", link=book_again)
        )
        return _queue(
            booking,
            "cancelled",
            _("Your appointment is cancelled"),
            [_("Your appointment is cancelled:"), summary(booking, tenant), reason],
            tenant,
        )
