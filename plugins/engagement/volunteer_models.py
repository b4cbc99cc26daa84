"""The engagement plugin's tables of volunteers and their contact with organisations:
volunteer profiles, contact requests ("Kennenlernen"), relayed messages, invitations.

A volunteer's profile lives at the volunteer's home municipality; a contact request,
its messages and an invitation live with the offer and name the volunteer by home
tenant and user id, without a foreign key across tenants (see ``models.py``, which
imports this module so that the metadata is complete).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import Base, TenantScoped, enum_column_type, utcnow
from plugins.engagement import vocabulary
from plugins.engagement.offer_models import Opportunity


class RequestStatus(enum.StrEnum):
    """requested -> accepted / declined / withdrawn; accepted -> completed."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class Party(enum.StrEnum):
    """Who wrote a relayed message."""

    VOLUNTEER = "volunteer"
    ORGANISATION = "organisation"


class ConsentStatus(enum.StrEnum):
    """A parent's consent for volunteers under 16 (DSGVO Art. 8)."""

    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    GIVEN = "given"


class CertificateOutcome(enum.StrEnum):
    """Outcome of inspecting an extended police certificate (erweitertes
    Führungszeugnis). Only the fact, the date and this outcome are stored."""

    NO_RELEVANT_ENTRIES = "no_relevant_entries"
    RELEVANT_ENTRIES = "relevant_entries"


class VolunteerProfile(TenantScoped, Base):
    """A citizen's volunteer profile, at their home municipality."""

    __tablename__ = "engagement_volunteer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("core_user.id", ondelete="CASCADE"), unique=True
    )
    # AGS of the home tenant, for the reverse match across a Kreis or Land.
    home_ags: Mapped[str] = mapped_column(String(8))
    birth_year: Mapped[int] = mapped_column(Integer)
    consent_status: Mapped[ConsentStatus] = mapped_column(
        enum_column_type(ConsentStatus, "engagement_consent_status"),
        default=ConsentStatus.NOT_NEEDED,
    )
    parent_name: Mapped[str | None] = mapped_column(String(200))
    parent_email: Mapped[str | None] = mapped_column(String(254))
    consent_given_at: Mapped[dt.datetime | None]
    plz: Mapped[str | None] = mapped_column(String(5))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[int] = mapped_column(Integer, default=15)
    field_mask: Mapped[int] = mapped_column(Integer, default=0)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    slot_mask: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(Text, default="")
    # Opt-in: organisations may see the profile (without contact data) and invite.
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def fields(self) -> list[str]:
        """Keys of the volunteer's interests."""
        return vocabulary.fields_of(self.field_mask)

    @property
    def time_slots(self) -> list[str]:
        """Keys of the weekly slots the volunteer is free."""
        return vocabulary.slots_of(self.slot_mask)

    def age_on(self, day: dt.date) -> int:
        """The age the volunteer has at least reached on ``day`` (birth year only)."""
        return day.year - self.birth_year - 1

    @property
    def may_make_contact(self) -> bool:
        """Under 16 only once a parent has consented."""
        return self.consent_status != ConsentStatus.PENDING


class ContactRequest(TenantScoped, Base):
    """A volunteer's request to get to know an organisation ("Kennenlernen").

    Lives in the offer's tenant. The volunteer is named by home tenant and user id
    (no foreign key across tenants; erased volunteers leave NULL and a pseudonym).
    """

    __tablename__ = "engagement_contact_request"
    __table_args__ = (
        Index(
            "ix_engagement_contact_request_volunteer", "volunteer_tenant_id", "volunteer_user_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_opportunity.id", ondelete="CASCADE"), index=True
    )
    volunteer_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT")
    )
    volunteer_user_id: Mapped[int | None] = mapped_column(Integer)
    # What the organisation sees before accepting: a first name, never contact data.
    volunteer_name: Mapped[str] = mapped_column(String(100))
    volunteer_age: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column_type(RequestStatus, "engagement_request_status"),
        default=RequestStatus.REQUESTED,
    )
    on_waitlist: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_answer_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    # Extended police certificate: only the fact, the date and the outcome.
    certificate_inspected_on: Mapped[dt.date | None] = mapped_column(Date)
    certificate_outcome: Mapped[CertificateOutcome | None] = mapped_column(
        enum_column_type(CertificateOutcome, "engagement_certificate_outcome")
    )

    opportunity: Mapped[Opportunity] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Message.id"
    )

    @property
    def is_open(self) -> bool:
        """Still waiting for the organisation's answer."""
        return self.status == RequestStatus.REQUESTED

    @property
    def contact_shared(self) -> bool:
        """Contact data are shown to both sides only after acceptance."""
        return self.status in (RequestStatus.ACCEPTED, RequestStatus.COMPLETED)


class Message(TenantScoped, Base):
    """A message relayed by the platform between volunteer and organisation."""

    __tablename__ = "engagement_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_contact_request.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[Party] = mapped_column(enum_column_type(Party, "engagement_party"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[ContactRequest] = relationship(back_populates="messages")


class Invitation(TenantScoped, Base):
    """An organisation invites a suggested volunteer to look at an offer."""

    __tablename__ = "engagement_invitation"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "volunteer_tenant_id", "volunteer_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_opportunity.id", ondelete="CASCADE"), index=True
    )
    volunteer_tenant_id: Mapped[int] = mapped_column(
        ForeignKey("core_tenant.id", ondelete="RESTRICT")
    )
    volunteer_user_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    opportunity: Mapped[Opportunity] = relationship()
