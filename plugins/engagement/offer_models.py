"""The engagement plugin's organisations, their members and their offers.

Every table is tenant-scoped (``TenantScoped``): an organisation, its offers and the
requests it receives belong to the municipality the organisation registered with. A
volunteer's profile belongs to the volunteer's home municipality (where their account
is). A contact request to another municipality's offer lives with the offer and names
the volunteer by home tenant and user id, without a foreign key across tenants, so
that each Kommune's data stays together and tenant isolation holds.

The tables of volunteers and their contact with organisations are in
``volunteer_models.py``, those of moderation (reports, review decisions) in
``moderation_models.py``; both point at the offers here. ``models.py`` imports all
three, so that importing it completes the metadata.

The full-text index (``fts_engagement_opportunity``) is not part of these models: it
is an FTS5 table on SQLite and a ``tsvector`` table on PostgreSQL, created and kept in
sync by database triggers in the migration (see ``search.py``).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

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


class OrganisationKind(enum.StrEnum):
    """Who offers the engagement."""

    VEREIN = "verein"
    INITIATIVE = "initiative"
    SCHULE = "schule"
    KITA = "kita"
    HOCHSCHULE = "hochschule"
    UNTERNEHMEN = "unternehmen"
    KOMMUNE = "kommune"
    PRIVATPERSON = "privatperson"


class OpportunityStatus(enum.StrEnum):
    """draft -> in_review -> published -> paused -> expired / archived."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    PAUSED = "paused"
    EXPIRED = "expired"
    ARCHIVED = "archived"


class Reach(enum.StrEnum):
    """Whom an offer addresses: the municipality, its whole Kreis, or the whole Land."""

    LOCAL = "local"
    KREIS = "kreis"
    LAND = "land"


class Schedule(enum.StrEnum):
    """One-off dates or regular weekly time slots."""

    ONE_OFF = "one_off"
    REGULAR = "regular"


class Organisation(TenantScoped, Base):
    """A Verein, initiative, school, company... that offers engagement."""

    __tablename__ = "engagement_organisation"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column_type(OrganisationKind, "engagement_organisation_kind")
    )
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    # Shown to a volunteer only after the organisation accepted their request.
    contact_email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    plz: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(100))
    # Verified organisations publish without review.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    opportunities: Mapped[list[Opportunity]] = relationship(back_populates="organisation")


class Membership(TenantScoped, Base):
    """An account that manages an organisation (same tenant as the organisation)."""

    __tablename__ = "engagement_membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")


class Opportunity(TenantScoped, Base):
    """An engagement offer (Engagementangebot).

    ``coverage_prefix`` is the AGS prefix of the area the offer addresses (the
    tenant's AGS for local reach, its first 5 digits for Kreis reach, 2 for Land),
    so "whose reach covers the searcher" is ``coverage_prefix IN (ags8, ags5, ags2)``.
    ``geo_cell`` is a grid cell of about 11 x 7 km (see ``geo.py``) for an indexable
    radius pre-filter on both databases.
    """

    __tablename__ = "engagement_opportunity"
    __table_args__ = (
        # The search's covering index: reach and status pick the rows, the grid cells
        # narrow them, and every other hard filter and the distance are answered from
        # the index without reading the table (see matching.py). SQLite's indexes hold
        # the rowid (= id); PostgreSQL's needs the id included for index-only scans.
        Index(
            "ix_engagement_opportunity_search",
            "coverage_prefix",
            "status",
            "geo_cell",
            "field_mask",
            "expires_on",
            "hidden",
            "lat",
            "lon",
            "min_age",
            "places",
            "places_taken",
            "waitlist_open",
            "remote",
            "tenant_id",
            postgresql_include=["id"],
        ),
        Index("ix_engagement_opportunity_queue", "tenant_id", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    field_mask: Mapped[int] = mapped_column(Integer, default=0)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Location: an address or PLZ geocoded through the gazetteer, or remote.
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str | None] = mapped_column(String(200))
    plz: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geo_cell: Mapped[int | None] = mapped_column(Integer)
    reach: Mapped[Reach] = mapped_column(
        enum_column_type(Reach, "engagement_reach"), default=Reach.LOCAL
    )
    coverage_prefix: Mapped[str] = mapped_column(String(8))
    # When: one-off dates (starts_on..ends_on) or weekly slots and hours per week.
    schedule: Mapped[Schedule] = mapped_column(enum_column_type(Schedule, "engagement_schedule"))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    slot_mask: Mapped[int] = mapped_column(Integer, default=0)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer, default=0)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    # Work with children needs an inspected extended police certificate.
    with_children: Mapped[bool] = mapped_column(Boolean, default=False)
    # Capacity: None means no limit. places_taken counts accepted requests.
    places: Mapped[int | None] = mapped_column(Integer)
    places_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_open: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[OpportunityStatus] = mapped_column(
        enum_column_type(OpportunityStatus, "engagement_opportunity_status"),
        default=OpportunityStatus.DRAFT,
    )
    expires_on: Mapped[dt.date] = mapped_column(Date)
    # Several reports hide an offer until a tenant admin has looked at it.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    review_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # German stems of title, description and skills: what the SQLite FTS5 index holds
    # (maintained by search.py on every insert and update).
    search_document: Mapped[str] = mapped_column(Text, default="")
    # Stems of the pieces of its compound words (search.py), indexed beside it.
    search_parts: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(back_populates="opportunities")

    @property
    def fields(self) -> list[str]:
        """Keys of the fields of engagement."""
        return vocabulary.fields_of(self.field_mask)

    @property
    def time_slots(self) -> list[str]:
        """Keys of the weekly time slots."""
        return vocabulary.slots_of(self.slot_mask)

    @property
    def places_left(self) -> int | None:
        """Free places (None: unlimited)."""
        return None if self.places is None else max(0, self.places - self.places_taken)

    @property
    def is_full(self) -> bool:
        """No place left (a waitlist may still be open)."""
        return self.places is not None and self.places_taken >= self.places

    def is_visible_on(self, day: dt.date) -> bool:
        """Published, not hidden by reports and not expired on ``day``."""
        return (
            self.status == OpportunityStatus.PUBLISHED
            and not self.hidden
            and self.expires_on >= day
        )


class SearchVersion(Base):
    """One row counting the writes to offers and organisations (database triggers,
    migration engagement_0004): search result caches in every process compare it to
    know when they are stale (see ``cache.py``). A counter, no tenant data — hence
    not tenant-scoped."""

    __tablename__ = "engagement_search_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def as_plain(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    """Selected attributes of a row as JSON-ready values (dates as ISO strings)."""
    result = {}
    for name in columns:
        value = getattr(obj, name)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        result[name] = value
    return result
