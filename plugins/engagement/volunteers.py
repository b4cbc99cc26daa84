"""Volunteers: registration with birth year and, under 16, a parent's consent;
the volunteer profile; and the reverse match, where organisations find volunteers
who opted in (without their contact data) and invite them.

Accounts are per tenant in core (the Kommune is the data controller), so a volunteer
registers at their home municipality and the profile lives there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from core import (
    ConflictError,
    ErrorCollector,
    NotFoundError,
    Role,
    Tenant,
    User,
    ValidationError,
    accounts,
    cross_tenant,
    session,
    tenant_context,
    utcnow,
)
from plugins.engagement import geo, matching, notifications, vocabulary
from plugins.engagement.models import (
    ConsentStatus,
    ContactRequest,
    Invitation,
    Opportunity,
    VolunteerProfile,
)
from plugins.engagement.offers import setting

#: Below this age (DSGVO Art. 8 as adopted in Germany) a parent must consent.
CONSENT_AGE = 16
CONSENT_MAX_AGE_SECONDS = 14 * 24 * 3600
SUGGESTION_CANDIDATES = 2000


def possibly_under(age: int, birth_year: int, today: dt.date) -> bool:
    """Whether someone born in ``birth_year`` may still be younger than ``age``."""
    return today.year - birth_year <= age


def validate_birth_year(raw: Any, today: dt.date) -> int:
    """A plausible birth year for a volunteer of at least ``MIN_AGE`` (12) years."""
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            "must be a year such as 1990, got %(raw)r",
            field="birth_year",
            code="engagement.volunteer.birth_year.invalid",
            raw=raw,
        ) from None
    min_age = setting("MIN_AGE", 12)
    if year > today.year - min_age:
        raise ValidationError(
            "volunteers must be at least %(min_age)s years old",
            field="birth_year",
            code="engagement.volunteer.birth_year.too_young",
            min_age=min_age,
        )
    if year < today.year - 120:
        raise ValidationError(
            "must be a year within the last 120 years",
            field="birth_year",
            code="engagement.volunteer.birth_year.out_of_range",
        )
    return year


def check_registration(data: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """Every rule of the volunteer registration checked at once; nothing is written.

    Returns the cleaned ``birth_year``, ``minor``, ``parent_name``, ``parent_email``
    and home ``location``.

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    today = today or dt.date.today()
    errors = ErrorCollector()
    birth_year = errors.run(validate_birth_year, data.get("birth_year"), today)
    minor = birth_year is not None and possibly_under(CONSENT_AGE, birth_year, today)
    parent_name = str(data.get("parent_name") or "").strip()
    email = errors.run(accounts.normalise_email, str(data.get("email") or ""))
    # In the order of the form: the parent's name, then their address.
    if minor and not parent_name:
        errors.errors.append(
            ValidationError(
                "under 16 a parent must consent: give their name",
                field="parent_name",
                code="engagement.volunteer.parent_name.required",
            )
        )
    parent_email = errors.run(_parent_email, data, email) if minor else None
    errors.run(accounts.validate_password, str(data.get("password") or ""))
    location = errors.run(_home_location, data)
    errors.raise_any()
    return {
        "birth_year": birth_year,
        "minor": minor,
        "parent_name": parent_name,
        "parent_email": parent_email,
        "location": location,
    }


def register_volunteer(
    tenant: Tenant, data: Mapping[str, Any], today: dt.date | None = None
) -> User:
    """Create a citizen account at ``tenant`` together with a volunteer profile.

    Someone who may be younger than 16 must name a parent; the parent gets a mail
    with a confirmation link, and until they confirm the volunteer can neither make
    contact nor be found by organisations.

    :raises ValidationErrors: fields break rules (every one named; nothing is stored).
    :raises ConflictError: the e-mail address has an account at ``tenant``.
    """
    checked = check_registration(data, today)
    birth_year, minor = checked["birth_year"], checked["minor"]
    parent_name, parent_email = checked["parent_name"], checked["parent_email"]
    location = checked["location"]
    user = accounts.create_user(
        str(data.get("email") or ""),
        str(data.get("display_name") or ""),
        str(data.get("password") or ""),
        [Role.CITIZEN],
        tenant,
    )
    with tenant_context(tenant):
        profile = VolunteerProfile(
            user_id=user.id,
            home_ags=tenant.ags,
            birth_year=birth_year,
            consent_status=ConsentStatus.PENDING if minor else ConsentStatus.NOT_NEEDED,
            parent_name=parent_name[:200] if minor else None,
            parent_email=parent_email if minor else None,
            **location,
        )
        session.add(profile)
        session.flush()
    if minor:
        notifications.parental_consent(
            parent_email,
            parent_name,
            user.display_name,
            tenant,
            consent_url(tenant, profile),
            profile.id,
        )
    return user


def _parent_email(data: Mapping[str, Any], own_email: str | None) -> str:
    """The parent's normalised address; not the volunteer's own."""
    try:
        parent_email = accounts.normalise_email(str(data.get("parent_email") or ""))
    except ValidationError as exc:
        raise exc.with_field("parent_email") from None
    if parent_email == own_email:
        raise ValidationError(
            "must be the parent's own address",
            field="parent_email",
            code="engagement.volunteer.parent_email.own_address",
        )
    return parent_email


def _home_location(data: Mapping[str, Any]) -> dict[str, Any]:
    plz = str(data.get("plz") or "").strip()
    if not plz:
        return {"plz": None, "lat": None, "lon": None}
    point = geo.geocode(plz, field="plz")
    return {"plz": point.plz or plz[:5], "lat": point.lat, "lon": point.lon}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="engagement-parental-consent"
    )


def consent_url(tenant: Tenant, profile: VolunteerProfile) -> str:
    """The signed link a parent follows to consent."""
    token = _serializer().dumps({"t": tenant.id, "p": profile.id})
    return notifications.link(tenant, f"consent/{token}")


def profile_for_consent(tenant: Tenant, token: str) -> VolunteerProfile:
    """The profile a consent link is for.

    :raises ValidationError: the link is broken, expired, or for another municipality.
    """
    try:
        data = _serializer().loads(token, max_age=CONSENT_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise ValidationError(
            "the link has expired; register again",
            field="token",
            code="engagement.volunteer.token.expired",
        ) from None
    except BadSignature:
        raise ValidationError(
            "the link is not valid", field="token", code="engagement.volunteer.token.invalid"
        ) from None
    if data.get("t") != tenant.id:
        raise ValidationError(
            "the link is not valid", field="token", code="engagement.volunteer.token.invalid"
        )
    with tenant_context(tenant):
        profile = session.get(VolunteerProfile, data.get("p"))
    if profile is None:
        raise ValidationError(
            "the link is not valid", field="token", code="engagement.volunteer.token.invalid"
        )
    return profile


def give_consent(profile: VolunteerProfile) -> None:
    """Record the parent's consent (idempotent)."""
    if profile.consent_status == ConsentStatus.PENDING:
        with tenant_context(profile.tenant_id):
            profile.consent_status = ConsentStatus.GIVEN
            profile.consent_given_at = utcnow()
            session.flush()


def profile_of(user: User | None) -> VolunteerProfile | None:
    """The user's volunteer profile, if any."""
    if user is None or user.tenant_id is None:
        return None
    with tenant_context(user.tenant_id):
        return session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


def ensure_profile(
    user: User, data: Mapping[str, Any], today: dt.date | None = None
) -> VolunteerProfile:
    """The user's profile, created from ``data`` (birth year...) if missing; for
    accounts registered through core's general registration."""
    existing = profile_of(user)
    if existing is not None:
        return existing
    check_profile(data, None, today)
    birth_year = int(data["birth_year"])
    tenant = session.get(Tenant, user.tenant_id)
    with tenant_context(tenant):
        profile = VolunteerProfile(user_id=user.id, home_ags=tenant.ags, birth_year=birth_year)
        session.add(profile)
        session.flush()
    return update_profile(profile, data)


def check_profile(
    data: Mapping[str, Any], profile: VolunteerProfile | None, today: dt.date | None = None
) -> None:
    """Check the profile form in one go (nothing is written): for a new profile
    (``profile`` None) also the birth year.

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    errors = ErrorCollector()
    if profile is None:
        errors.run(_first_birth_year, data.get("birth_year"), today or dt.date.today())
    errors.run(_profile_values, data, True if profile is None else profile.may_make_contact)
    errors.raise_any()


def _first_birth_year(raw: Any, today: dt.date) -> int:
    """The birth year of a profile created after core's registration: 16 or older."""
    birth_year = validate_birth_year(raw, today)
    if possibly_under(CONSENT_AGE, birth_year, today):
        raise ValidationError(
            "under 16 please register through the volunteering registration, which asks for "
            "a parent's consent",
            field="birth_year",
            code="engagement.volunteer.birth_year.needs_parent",
        )
    return birth_year


def _profile_values(data: Mapping[str, Any], may_make_contact: bool) -> dict[str, Any]:
    """The profile's column values from ``data``, every field checked."""
    errors = ErrorCollector()
    about = str(data.get("about") or "").strip()
    if len(about) > 1000:
        errors.errors.append(
            ValidationError(
                "must have at most 1000 characters",
                field="about",
                code="engagement.volunteer.about.too_long",
            )
        )
    discoverable = bool(data.get("discoverable"))
    if discoverable and not may_make_contact:
        errors.errors.append(
            ValidationError(
                "possible once a parent has consented",
                field="discoverable",
                code="engagement.volunteer.discoverable.needs_consent",
            )
        )
    values: dict[str, Any] = {
        "field_mask": errors.run(vocabulary.field_mask, list(data.get("fields") or [])),
        "slot_mask": errors.run(vocabulary.slot_mask, list(data.get("time_slots") or [])),
        "skills": errors.run(vocabulary.validate_skills, data.get("skills") or []),
        "languages": errors.run(vocabulary.validate_languages, data.get("languages") or []),
        "radius_km": errors.run(_radius, data.get("radius_km")),
        "about": about,
        "discoverable": discoverable,
    }
    location = errors.run(_home_location, data)
    errors.raise_any()
    return {**values, **(location or {})}


def _radius(raw: Any) -> int:
    try:
        radius = int(raw or 15)
    except (TypeError, ValueError):
        raise ValidationError(
            "must be a whole number, got %(raw)r",
            field="radius_km",
            code="engagement.number.invalid",
            raw=raw,
        ) from None
    return geo.validate_radius(radius)


def update_profile(profile: VolunteerProfile, data: Mapping[str, Any]) -> VolunteerProfile:
    """Change the interests, skills, week, languages, place, radius and opt-in.

    :raises ValidationErrors: naming every field that breaks a rule.
    """
    values = _profile_values(data, profile.may_make_contact)
    with tenant_context(profile.tenant_id):
        for key, value in values.items():
            setattr(profile, key, value)
        session.flush()
    return profile


# ---------------------------------------------------------------------------------
# Reverse match: organisations find volunteers
# ---------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A volunteer who opted in, as an organisation sees them: no name, no contact."""

    profile_id: int
    tenant_id: int
    age: int
    score: int
    distance_km: float | None
    reasons: list[matching.Reason]
    about: str


def suggest_volunteers(
    offer: Opportunity, limit: int = 20, today: dt.date | None = None
) -> list[Suggestion]:
    """Volunteers who opted in, live in the area the offer addresses, are old enough
    and whose own radius reaches the offer — best match first."""
    today = today or dt.date.today()
    with cross_tenant("reverse match: volunteers who opted in to be found, in the offer's area"):
        asked = _already_asked(offer)
        stmt = (
            select(VolunteerProfile)
            .where(
                VolunteerProfile.discoverable.is_(True),
                VolunteerProfile.consent_status != ConsentStatus.PENDING,
                VolunteerProfile.home_ags.startswith(offer.coverage_prefix),
                VolunteerProfile.birth_year <= today.year - 1 - offer.min_age,
            )
            .order_by(VolunteerProfile.updated_at.desc())
            .limit(SUGGESTION_CANDIDATES)
        )
        suggestions = []
        for profile in session.scalars(stmt):
            if (profile.tenant_id, profile.user_id) in asked:
                continue
            query = matching.SearchQuery.from_profile(profile, today)
            rated = matching.rate(query, offer, profile.tenant_id)
            if rated is None:
                continue
            suggestions.append(
                Suggestion(
                    profile.id,
                    profile.tenant_id,
                    profile.age_on(today),
                    rated.score,
                    rated.distance_km,
                    rated.reasons,
                    profile.about,
                )
            )
    suggestions.sort(key=lambda s: (-s.score, s.distance_km or 0, s.profile_id))
    return suggestions[:limit]


def _already_asked(offer: Opportunity) -> set[tuple[int, int | None]]:
    requests = session.execute(
        select(ContactRequest.volunteer_tenant_id, ContactRequest.volunteer_user_id).where(
            ContactRequest.opportunity_id == offer.id
        )
    )
    invited = session.execute(
        select(Invitation.volunteer_tenant_id, Invitation.volunteer_user_id).where(
            Invitation.opportunity_id == offer.id
        )
    )
    return {tuple(row) for row in requests} | {tuple(row) for row in invited}  # type: ignore[misc]


def invite(
    offer: Opportunity, profile_id: int, message: str, today: dt.date | None = None
) -> Invitation:
    """Invite a suggested volunteer; the platform mails them, the organisation sees
    nothing of them until they make contact.

    :raises NotFoundError: the profile is not among the offer's suggestions.
    :raises ConflictError: the volunteer was invited to this offer before.
    """
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError(
            "must have at most 2000 characters",
            field="message",
            code="engagement.volunteer.message.too_long",
        )
    allowed = {
        s.profile_id for s in suggest_volunteers(offer, limit=matching.MAX_LIMIT, today=today)
    }
    if profile_id not in allowed:
        raise NotFoundError(
            "this volunteer is not among the suggestions for the offer",
            field="profile",
            code="engagement.volunteer.profile.not_suggested",
        )
    with cross_tenant("invite a volunteer of another municipality who opted in to be found"):
        profile = session.get(VolunteerProfile, profile_id)
        user = session.get(User, profile.user_id)
    with tenant_context(offer.tenant_id):
        clash = session.scalar(
            select(Invitation.id).where(
                Invitation.opportunity_id == offer.id,
                Invitation.volunteer_tenant_id == profile.tenant_id,
                Invitation.volunteer_user_id == profile.user_id,
            )
        )
        if clash:
            raise ConflictError(
                "this volunteer has been invited already",
                field="profile",
                code="engagement.volunteer.profile.invited",
            )
        invitation = Invitation(
            opportunity_id=offer.id,
            volunteer_tenant_id=profile.tenant_id,
            volunteer_user_id=profile.user_id,
            message=message,
        )
        invitation.opportunity = offer
        session.add(invitation)
        session.flush()
    notifications.invitation(invitation, user)
    return invitation
