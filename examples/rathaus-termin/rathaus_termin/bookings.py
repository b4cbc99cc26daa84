"""Citizens' bookings: book, confirm by mail, cancel by mail; reminders; retention.

A booking first holds its seat for ``TERMIN_CONFIRM_MINUTES``; the link in the first
mail confirms it (proving the e-mail address, so nobody can block slots with made-up
addresses). Every later mail carries a fresh cancellation link. Links hold random
256-bit tokens; only their SHA-256 digests are stored, and a booking's tokens are
deleted once they have no use left.

Every function runs inside the tenant's context.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import (
    ConflictError,
    NotFoundError,
    Subscription,
    Tenant,
    TenantStatus,
    ValidationError,
    cross_tenant,
    normalise_email,
    session,
    tenant_context,
)
from sqlalchemy import or_, select

from rathaus_termin import SERVICE_KEY, mails
from rathaus_termin.calendars import holds_seat, seats_taken
from rathaus_termin.models import (
    BookingStatus,
    TerminBooking,
    TerminBookingToken,
    TerminCalendar,
    TerminSlot,
    TokenPurpose,
)
from rathaus_termin.settings import setting

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at the counter


# ---------------------------------------------------------------------------------
# Tokens and references
# ---------------------------------------------------------------------------------


def digest(token: str) -> str:
    """The stored form of a link token (tokens are random, so a fast hash suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(booking: TerminBooking, purpose: TokenPurpose) -> str:
    """A new link token for the booking; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    booking.tokens.append(TerminBookingToken(purpose=purpose, digest=digest(token)))
    return token


def booking_for_token(token: str, purpose: TokenPurpose) -> TerminBooking:
    """The booking a link belongs to (only the current tenant's bookings are found).

    :raises NotFoundError: unknown token, a token of another purpose or tenant.
    """
    booking = session.scalar(
        select(TerminBooking)
        .join(TerminBookingToken)
        .where(TerminBookingToken.digest == digest(token), TerminBookingToken.purpose == purpose)
    )
    if booking is None:
        raise NotFoundError(
            "this link is not valid (any more)", field="token", code="termin.booking.link_invalid"
        )
    return booking


def new_reference() -> str:
    """A reference like ``K7MQ-4X2P`` not yet used by the tenant."""
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"{code[:4]}-{code[4:]}"
        if (
            session.scalar(select(TerminBooking.id).where(TerminBooking.reference == reference))
            is None
        ):
            return reference


# ---------------------------------------------------------------------------------
# Booking, confirming, cancelling
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    """What a citizen enters to book."""

    name: str
    email: str
    phone: str | None = None
    note: str = ""

    def cleaned(self) -> BookingRequest:
        """The request with whitespace trimmed; ``ValidationError`` naming a bad field."""
        name = (self.name or "").strip()
        if not name:
            raise ValidationError(
                "must not be empty", field="name", code="termin.booking.name.required"
            )
        if len(name) > 200:
            raise ValidationError(
                "must have at most 200 characters",
                field="name",
                code="termin.booking.name.too_long",
            )
        phone = (self.phone or "").strip() or None
        if phone is not None and len(phone) > 50:
            raise ValidationError(
                "must have at most 50 characters",
                field="phone",
                code="termin.booking.phone.too_long",
            )
        note = (self.note or "").strip()
        if len(note) > 1000:
            raise ValidationError(
                "must have at most 1000 characters",
                field="note",
                code="termin.booking.note.too_long",
            )
        return BookingRequest(name=name, email=normalise_email(self.email), phone=phone, note=note)


def book(
    slot: TerminSlot, request: BookingRequest, *, now: dt.datetime, locale: str = "de"
) -> TerminBooking:
    """Reserve a seat for ``request`` and mail the confirmation link; the caller commits.

    :raises ValidationError: bad input, a slot in the past or beyond the horizon.
    :raises ConflictError: the slot is full, or this address holds a seat in it already.
    :raises NotFoundError: the calendar is archived.
    """
    request = request.cleaned()
    if not slot.calendar.is_active:
        raise NotFoundError(
            "no calendar %(calendar_slug)r",
            field="calendar",
            code="termin.calendar.not_found",
            calendar_slug=slot.calendar.slug,
        )
    if slot.starts_at <= now:
        raise ValidationError(
            "this time has passed; please choose another",
            field="slot",
            code="termin.booking.slot.passed",
        )
    if slot.starts_at > now + dt.timedelta(days=setting("TERMIN_HORIZON_DAYS")):
        raise ValidationError(
            "this time cannot be booked yet", field="slot", code="termin.booking.slot.not_yet"
        )
    # Two citizens taking the last seat at once: the row lock makes the second wait
    # and then see the seat taken (PostgreSQL; SQLite serialises writers anyway).
    session.execute(select(TerminSlot.id).where(TerminSlot.id == slot.id).with_for_update())
    if _holds_seat(slot, request.email, now):
        raise ConflictError(
            "you have booked this time already; please look for our mail",
            field="email",
            code="termin.booking.duplicate",
        )
    if seats_taken([slot.id], now).get(slot.id, 0) >= slot.capacity:
        raise ConflictError(
            "this time has just been booked by someone else; please choose another",
            field="slot",
            code="termin.booking.slot.taken",
        )
    booking = TerminBooking(
        slot=slot,
        reference=new_reference(),
        name=request.name,
        email=request.email,
        phone=request.phone,
        note=request.note,
        locale=locale,
        created_at=now,
    )
    session.add(booking)
    token = issue_token(booking, TokenPurpose.CONFIRM)
    session.flush()
    mails.confirmation_request(booking, token)
    return booking


def _holds_seat(slot: TerminSlot, email: str, now: dt.datetime) -> bool:
    return (
        session.scalar(
            select(TerminBooking.id).where(
                TerminBooking.slot_id == slot.id, TerminBooking.email == email, holds_seat(now)
            )
        )
        is not None
    )


def state(booking: TerminBooking, now: dt.datetime) -> str:
    """``pending``, ``confirmed``, ``cancelled`` or ``lapsed`` (pending, not confirmed in time)."""
    if booking.status == BookingStatus.PENDING and booking.created_at <= _hold_start(now):
        return "lapsed"
    return booking.status.value


def _hold_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=setting("TERMIN_CONFIRM_MINUTES"))


def confirm(booking: TerminBooking, now: dt.datetime) -> bool:
    """Confirm a pending booking; False when it was confirmed before. The caller commits.

    :raises ConflictError: the booking was cancelled or has lapsed.
    """
    current = state(booking, now)
    if current == "confirmed":
        return False
    if current == "cancelled":
        raise ConflictError(
            "this booking has been cancelled", field="booking", code="termin.booking.cancelled"
        )
    if current == "lapsed":
        raise ConflictError(
            "this booking was not confirmed within %(minutes)s minutes and has lapsed; please "
            "book again",
            field="booking",
            code="termin.booking.lapsed",
            minutes=setting("TERMIN_CONFIRM_MINUTES"),
        )
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now
    booking.tokens = [t for t in booking.tokens if t.purpose != TokenPurpose.CONFIRM]
    token = issue_token(booking, TokenPurpose.CANCEL)
    session.flush()
    mails.confirmed(booking, token)
    return True


def cancel(
    booking: TerminBooking, now: dt.datetime, *, by: str = "citizen", notify: bool = True
) -> bool:
    """Cancel a booking and free its seat; False when it was cancelled before.

    :param by: ``citizen``, ``office`` or ``erasure``; the mail says who cancelled.
    :param notify: mail the citizen (only confirmed bookings are: an unconfirmed
        address may not be the booker's).
    :raises ConflictError: the appointment has begun or passed.
    """
    if booking.status == BookingStatus.CANCELLED:
        return False
    if booking.slot.starts_at <= now:
        raise ConflictError(
            "the appointment has begun or passed and can no longer be cancelled",
            field="booking",
            code="termin.booking.too_late",
        )
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.tokens = []
    session.flush()
    if notify and was_confirmed:
        mails.cancelled(booking)
    return True


def bookings(
    *,
    calendar: TerminCalendar | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[TerminBooking]:
    """The tenant's bookings (optionally of one calendar, with appointments in
    ``start..end``), by appointment time."""
    stmt = select(TerminBooking).join(TerminSlot).order_by(TerminSlot.starts_at, TerminBooking.id)
    if calendar is not None:
        stmt = stmt.where(TerminSlot.calendar_id == calendar.id)
    if start is not None:
        stmt = stmt.where(TerminSlot.starts_at >= start)
    if end is not None:
        stmt = stmt.where(TerminSlot.starts_at < end)
    return list(session.scalars(stmt))


def booking_by_id(booking_id: int) -> TerminBooking:
    """The tenant's booking ``booking_id``; ``NotFoundError`` otherwise."""
    booking = session.get(TerminBooking, booking_id)
    if booking is None:
        raise NotFoundError(
            "no booking %(booking_id)s",
            field="booking",
            code="termin.booking.not_found",
            booking_id=booking_id,
        )
    return booking


# ---------------------------------------------------------------------------------
# Jobs across tenants: reminders and retention
# ---------------------------------------------------------------------------------


def for_each_tenant(tenants: list[Tenant], job: Callable[[], int]) -> dict[str, int]:
    """Run ``job`` in each tenant's context, committing per tenant; its result per slug."""
    results = {}
    for tenant in tenants:
        with tenant_context(tenant):
            results[tenant.slug] = job()
            session.commit()
    return results


def subscribed_tenants(day: dt.date) -> list[Tenant]:
    """Active tenants that subscribe to the service on ``day``."""
    with cross_tenant("find the tenants whose appointment reminders are due"):
        ids = set(
            session.scalars(
                select(Subscription.tenant_id).where(
                    Subscription.service_key == SERVICE_KEY,
                    Subscription.starts_on <= day,
                    or_(Subscription.ends_on.is_(None), Subscription.ends_on >= day),
                )
            )
        )
    stmt = (
        select(Tenant)
        .where(Tenant.id.in_(ids), Tenant.status == TenantStatus.ACTIVE)
        .order_by(Tenant.slug)
    )
    return list(session.scalars(stmt))


def queue_reminders(now: dt.datetime) -> dict[str, int]:
    """Queue a reminder for every confirmed appointment in the next
    ``TERMIN_REMINDER_HOURS`` that has none yet; reminders queued per tenant slug.

    Safe to run as often as cron likes: each booking is reminded once.
    """
    until = now + dt.timedelta(hours=setting("TERMIN_REMINDER_HOURS"))

    def remind() -> int:
        due = session.scalars(
            select(TerminBooking)
            .join(TerminSlot)
            .where(
                TerminBooking.status == BookingStatus.CONFIRMED, TerminBooking.reminded_at.is_(None)
            )
            .where(TerminSlot.starts_at > now, TerminSlot.starts_at <= until)
            .order_by(TerminSlot.starts_at)
        )
        queued = 0
        for booking in due:
            token = issue_token(booking, TokenPurpose.CANCEL)
            session.flush()
            if mails.reminder(booking, token):
                queued += 1
            else:  # queued by an earlier run that did not get to mark the booking
                booking.tokens.pop()
            booking.reminded_at = now
        return queued

    return for_each_tenant(subscribed_tenants(now.date()), remind)


def anonymise(booking: TerminBooking, now: dt.datetime) -> None:
    """Remove the personal data of a booking; time, calendar and status remain for statistics."""
    booking.name = ""
    booking.email = ""
    booking.phone = None
    booking.note = ""
    booking.tokens = []
    booking.anonymised_at = now


def purge_expired(now: dt.datetime) -> dict[str, int]:
    """Anonymise bookings whose appointment ended ``TERMIN_RETENTION_DAYS`` ago, in
    every tenant; bookings anonymised per tenant slug."""
    cutoff = now - dt.timedelta(days=setting("TERMIN_RETENTION_DAYS"))

    def purge() -> int:
        expired = list(
            session.scalars(
                select(TerminBooking)
                .join(TerminSlot)
                .where(TerminSlot.ends_at < cutoff, TerminBooking.anonymised_at.is_(None))
            )
        )
        for booking in expired:
            anonymise(booking, now)
        return len(expired)

    with cross_tenant("retention applies to every tenant's bookings"):
        ids = set(session.scalars(select(TerminBooking.tenant_id)))
    tenants = list(session.scalars(select(Tenant).where(Tenant.id.in_(ids)).order_by(Tenant.slug)))
    return for_each_tenant(tenants, purge)


# ---------------------------------------------------------------------------------
# Personal data of an account (DSGVO Art. 15, 17, 20)
# ---------------------------------------------------------------------------------


def personal_data(email: str, now: dt.datetime) -> list[dict[str, Any]]:
    """Every booking made with ``email`` at the current tenant."""
    return [
        {
            "reference": booking.reference,
            "calendar": booking.slot.calendar.name,
            "starts_at": booking.slot.starts_at.isoformat(),
            "name": booking.name,
            "email": booking.email,
            "phone": booking.phone,
            "note": booking.note,
            "status": state(booking, now),
            "booked_at": booking.created_at.isoformat(),
        }
        for booking in _bookings_of(email)
    ]


def erase(email: str, now: dt.datetime) -> int:
    """Cancel the upcoming bookings made with ``email`` (without mail) and anonymise all
    of them; returns how many bookings were anonymised."""
    found = _bookings_of(email)
    for booking in found:
        if booking.status != BookingStatus.CANCELLED and booking.slot.starts_at > now:
            cancel(booking, now, by="erasure", notify=False)
        anonymise(booking, now)
    session.flush()
    return len(found)


def _bookings_of(email: str) -> list[TerminBooking]:
    stmt = (
        select(TerminBooking)
        .where(TerminBooking.email == email.strip().lower())
        .order_by(TerminBooking.id)
    )
    return list(session.scalars(stmt))
