"""The tables of the appointment service; every row belongs to one tenant.

A tenant keeps *calendars* (one per office or counter: Bürgerbüro, Standesamt,
Kfz-Zulassung); a calendar has *slots* (a start, an end, a number of seats); a
citizen's *booking* takes one seat of a slot. Links in mails carry random tokens of
which only SHA-256 digests are stored (``TerminBookingToken``).
"""

from __future__ import annotations

import datetime as dt
import enum

from core import Base, TenantScoped, enum_column_type, utcnow
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class TerminCalendar(TenantScoped, Base):
    """An office's calendar, e.g. the Bürgerbüro of Stadt Coesfeld.

    Archived calendars take no bookings and are no longer counted for billing; their
    past bookings stay.
    """

    __tablename__ = "termin_calendar"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[dt.datetime | None]

    slots: Mapped[list[TerminSlot]] = relationship(
        back_populates="calendar", order_by="TerminSlot.starts_at"
    )

    @property
    def is_active(self) -> bool:
        """Whether the calendar takes bookings."""
        return self.archived_at is None


class TerminSlot(TenantScoped, Base):
    """A bookable time of a calendar with a number of seats (usually one)."""

    __tablename__ = "termin_slot"
    __table_args__ = (UniqueConstraint("calendar_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("termin_calendar.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    capacity: Mapped[int] = mapped_column(Integer, default=1)

    calendar: Mapped[TerminCalendar] = relationship(back_populates="slots")


class BookingStatus(enum.StrEnum):
    """Where a booking stands. Pending bookings hold their seat for a while only."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class TerminBooking(TenantScoped, Base):
    """A citizen's booking of one seat; no account needed, the e-mail address is
    confirmed through the link in the first mail (double opt-in)."""

    __tablename__ = "termin_booking"
    __table_args__ = (UniqueConstraint("tenant_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("termin_slot.id", ondelete="RESTRICT"), index=True
    )
    # Quoted at the counter and in mails: short, unambiguous, not guessable in bulk.
    reference: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(Text, default="")
    # The citizen's language when booking; mails are written in it.
    locale: Mapped[str] = mapped_column(String(5), default="de")
    status: Mapped[BookingStatus] = mapped_column(
        enum_column_type(BookingStatus, "termin_booking_status"), default=BookingStatus.PENDING
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    # "citizen", "office" (the tenant's staff) or "erasure" (DSGVO Art. 17).
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    reminded_at: Mapped[dt.datetime | None]
    anonymised_at: Mapped[dt.datetime | None]

    slot: Mapped[TerminSlot] = relationship()
    tokens: Mapped[list[TerminBookingToken]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )


class TokenPurpose(enum.StrEnum):
    """What a link in a mail lets its holder do."""

    CONFIRM = "confirm"
    CANCEL = "cancel"


class TerminBookingToken(TenantScoped, Base):
    """The SHA-256 digest of one link token. Every mail gets a fresh token, so no
    token needs to be kept in plain text; all of a booking's tokens die with it."""

    __tablename__ = "termin_booking_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("termin_booking.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        enum_column_type(TokenPurpose, "termin_token_purpose")
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    booking: Mapped[TerminBooking] = relationship(back_populates="tokens")
