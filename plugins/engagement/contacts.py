"""Getting to know each other ("Kennenlernen"): contact requests and relayed messages.

A request is stored with the offer, in the offer's tenant, so the organisation's data
stays together; it names the volunteer by home tenant and user id. Writing it for a
volunteer of another municipality, and listing "my requests" at the volunteer's home
portal, are explicit cross-tenant operations filtered by the volunteer's own ids.

Messages are relayed by the platform: neither side sees the other's e-mail address
or phone number until the organisation accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import (
    ConflictError,
    ErrorCollector,
    NotFoundError,
    PermissionDenied,
    Tenant,
    User,
    ValidationError,
    cross_tenant,
    labels,
    session,
    tenant_context,
    utcnow,
)
from plugins.engagement import matching, notifications
from plugins.engagement.models import (
    CertificateOutcome,
    ContactRequest,
    Invitation,
    Message,
    Opportunity,
    Organisation,
    Party,
    RequestStatus,
    VolunteerProfile,
)

MAX_MESSAGE = 2000
R = RequestStatus

# A request that is "requested" waits for the organisation's answer.
labels.register("RequestStatus", {R.REQUESTED.value: _l("Waiting for an answer")})


def _message_text(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(
            "must not be empty", field="message", code="engagement.contact.message.required"
        )
    if len(body) > MAX_MESSAGE:
        raise ValidationError(
            "must have at most %(max_message)s characters",
            field="message",
            code="engagement.contact.message.too_long",
            max_message=MAX_MESSAGE,
        )
    return body


def first_name(display_name: str) -> str:
    """What an organisation sees of a volunteer before accepting: the first name."""
    return (display_name.split() or ["?"])[0][:100]


def request_contact(
    tenant: Tenant, offer_id: int, user: User, message: str, today: dt.date | None = None
) -> ContactRequest:
    """A volunteer at ``tenant`` (their home) asks to get to know an offer's organisation.

    :raises NotFoundError: the offer is not visible from ``tenant``.
    :raises ValidationError: no profile, consent missing, too young, empty message.
    :raises ConflictError: a request of this volunteer for the offer is open or
        accepted, or every place is taken and there is no waiting list.
    """
    today = today or dt.date.today()
    body = _message_text(message)
    profile = _profile(user)
    if not profile.may_make_contact:
        raise ValidationError(
            "a parent has not consented yet",
            field="consent",
            code="engagement.contact.consent.missing",
        )
    offer = matching.visible_offer(tenant, offer_id, today)
    age = profile.age_on(today)
    if age < offer.min_age:
        raise ValidationError(
            "the offer is for people aged %(min_age)s and over",
            field="age",
            code="engagement.contact.age.too_young",
            min_age=offer.min_age,
        )
    with cross_tenant("store a volunteer's contact request with the offer's municipality"):
        _refuse_duplicate(offer, user)
        waitlist = offer.is_full
        if waitlist and not offer.waitlist_open:
            raise ConflictError(
                "every place is taken and there is no waiting list",
                field="offer",
                code="engagement.contact.offer.full",
            )
        request = ContactRequest(
            tenant_id=offer.tenant_id,
            opportunity_id=offer.id,
            volunteer_tenant_id=user.tenant_id,
            volunteer_user_id=user.id,
            volunteer_name=first_name(user.display_name),
            volunteer_age=age,
            on_waitlist=waitlist,
        )
        request.opportunity = offer
        request.messages.append(
            Message(tenant_id=offer.tenant_id, sender=Party.VOLUNTEER, body=body)
        )
        session.add(request)
        session.flush()
        _mark_invitation(offer, user)
        notifications.new_request(request)
    return request


def _profile(user: User) -> VolunteerProfile:
    with tenant_context(user.tenant_id):
        profile = session.scalar(
            select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
        )
    if profile is None:
        raise ValidationError(
            "create your volunteer profile first",
            field="profile",
            code="engagement.contact.profile.required",
        )
    return profile


def _refuse_duplicate(offer: Opportunity, user: User) -> None:
    open_one = session.scalar(
        select(ContactRequest.id).where(
            ContactRequest.opportunity_id == offer.id,
            ContactRequest.volunteer_tenant_id == user.tenant_id,
            ContactRequest.volunteer_user_id == user.id,
            ContactRequest.status.in_([R.REQUESTED, R.ACCEPTED]),
        )
    )
    if open_one is not None:
        raise ConflictError(
            "you have already contacted this organisation about the offer",
            field="offer",
            code="engagement.contact.duplicate",
        )


def _mark_invitation(offer: Opportunity, user: User) -> None:
    """An invitation has done its job once the volunteer makes contact: drop it."""
    for invitation in session.scalars(
        select(Invitation).where(
            Invitation.opportunity_id == offer.id,
            Invitation.volunteer_tenant_id == user.tenant_id,
            Invitation.volunteer_user_id == user.id,
        )
    ):
        session.delete(invitation)


# ---------------------------------------------------------------------------------
# The volunteer's side (at their home portal)
# ---------------------------------------------------------------------------------


def my_requests(user: User) -> list[ContactRequest]:
    """The user's requests at every municipality, newest first."""
    with cross_tenant(
        "a volunteer lists their own requests, stored with the offers' municipalities"
    ):
        stmt = (
            select(ContactRequest)
            .where(
                ContactRequest.volunteer_tenant_id == user.tenant_id,
                ContactRequest.volunteer_user_id == user.id,
            )
            .options(
                selectinload(ContactRequest.opportunity).selectinload(Opportunity.organisation)
            )
            .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        )
        return list(session.scalars(stmt))


def my_invitations(user: User) -> list[Invitation]:
    """Invitations to the user from organisations anywhere, newest first."""
    with cross_tenant("a volunteer lists invitations addressed to them"):
        stmt = (
            select(Invitation)
            .where(
                Invitation.volunteer_tenant_id == user.tenant_id,
                Invitation.volunteer_user_id == user.id,
            )
            .options(selectinload(Invitation.opportunity).selectinload(Opportunity.organisation))
            .order_by(Invitation.created_at.desc())
        )
        return list(session.scalars(stmt))


def my_request(user: User, request_id: int) -> ContactRequest:
    """One of the user's own requests (``NotFoundError`` for anyone else's)."""
    with cross_tenant("a volunteer reads their own request"):
        request = session.get(ContactRequest, request_id)
        if request is not None:
            request.messages  # noqa: B018 - load the thread inside the cross-tenant block
            request.opportunity.organisation  # noqa: B018
    if request is None or (request.volunteer_tenant_id, request.volunteer_user_id) != (
        user.tenant_id,
        user.id,
    ):
        raise NotFoundError(
            "no request %(request_id)s of yours",
            field="request",
            code="engagement.contact.not_found",
            request_id=request_id,
        )
    return request


def withdraw(request: ContactRequest) -> ContactRequest:
    """The volunteer withdraws; an accepted place becomes free again."""
    if request.status not in (R.REQUESTED, R.ACCEPTED):
        raise ConflictError(
            "cannot withdraw a request that is %(status)s",
            field="status",
            code="engagement.contact.status.not_withdrawable",
            status=request.status.value,
        )
    with cross_tenant("a volunteer withdraws their own request"):
        if request.status == R.ACCEPTED and not request.on_waitlist:
            request.opportunity.places_taken = max(0, request.opportunity.places_taken - 1)
        request.status = R.WITHDRAWN
        request.decided_at = utcnow()
        session.flush()
    return request


def post_message(request: ContactRequest, sender: Party, body: str) -> Message:
    """Relay a message to the other side (mail says only that there is one)."""
    text = _message_text(body)
    if request.status not in (R.REQUESTED, R.ACCEPTED):
        raise ConflictError(
            "the conversation is closed (%(status)s)",
            field="status",
            code="engagement.contact.status.closed",
            status=request.status.value,
        )
    with cross_tenant("relay a message between a volunteer and an organisation"):
        message = Message(
            tenant_id=request.tenant_id, request_id=request.id, sender=sender, body=text
        )
        request.messages.append(message)
        if sender == Party.ORGANISATION and request.first_answer_at is None:
            request.first_answer_at = utcnow()
        session.flush()
        notifications.new_message(request, message.id, to_volunteer=sender == Party.ORGANISATION)
    return message


# ---------------------------------------------------------------------------------
# The organisation's side
# ---------------------------------------------------------------------------------


def requests_of(organisation: Organisation) -> list[ContactRequest]:
    """Requests for the organisation's offers, open ones first, newest first."""
    with tenant_context(organisation.tenant_id):
        stmt = (
            select(ContactRequest)
            .join(Opportunity)
            .where(Opportunity.organisation_id == organisation.id)
            .options(selectinload(ContactRequest.opportunity))
            .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        )
        found = list(session.scalars(stmt))
    return sorted(found, key=lambda r: not r.is_open)


def request_of(organisation: Organisation, request_id: int) -> ContactRequest:
    """One request for the organisation's offers (``NotFoundError`` otherwise)."""
    with tenant_context(organisation.tenant_id):
        request = session.get(ContactRequest, request_id)
        if request is not None:
            request.messages  # noqa: B018 - load the thread in the tenant's scope
    if request is None or request.opportunity.organisation_id != organisation.id:
        raise NotFoundError(
            "no request %(request_id)s for this organisation",
            field="request",
            code="engagement.contact.not_found",
            request_id=request_id,
        )
    return request


def decide_request(
    request: ContactRequest, accept: bool, reason: str | None = None
) -> ContactRequest:
    """Accept (contact data are now shared) or decline a request.

    :raises ConflictError: the request is not open, or accepting needs a place and
        none is free (decline another first, or raise the number of places).
    """
    if request.status != R.REQUESTED:
        raise ConflictError(
            "the request is already %(status)s",
            field="status",
            code="engagement.contact.status.already",
            status=request.status.value,
        )
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_MESSAGE:
        raise ValidationError(
            "must have at most %(max_message)s characters",
            field="reason",
            code="engagement.contact.reason.too_long",
            max_message=MAX_MESSAGE,
        )
    offer = request.opportunity
    with tenant_context(request.tenant_id):
        now = utcnow()
        if accept:
            if offer.is_full:
                raise ConflictError(
                    "no place is free; raise the number of places first",
                    field="places",
                    code="engagement.contact.places.full",
                )
            offer.places_taken += 1
            request.on_waitlist = False
        request.status = R.ACCEPTED if accept else R.DECLINED
        request.decision_reason = reason
        request.decided_at = now
        request.first_answer_at = request.first_answer_at or now
        if reason:
            request.messages.append(
                Message(tenant_id=request.tenant_id, sender=Party.ORGANISATION, body=reason)
            )
        session.flush()
    notifications.request_decided(request)
    return request


def complete(request: ContactRequest) -> ContactRequest:
    """Mark an accepted engagement as completed; the place becomes free again."""
    if request.status != R.ACCEPTED:
        raise ConflictError(
            "only an accepted request can be completed, not %(status)s",
            field="status",
            code="engagement.contact.status.not_accepted",
            status=request.status.value,
        )
    with tenant_context(request.tenant_id):
        request.status = R.COMPLETED
        request.completed_at = utcnow()
        request.opportunity.places_taken = max(0, request.opportunity.places_taken - 1)
        session.flush()
    return request


def record_certificate(
    request: ContactRequest, data: Mapping[str, Any], today: dt.date | None = None
) -> None:
    """Record that the volunteer's extended police certificate was inspected: only the
    fact, the date and the outcome (never the certificate or its contents).

    :raises ValidationErrors: a wrong date and a wrong outcome (both named).
    """
    today = today or dt.date.today()
    if not request.opportunity.with_children:
        raise ConflictError(
            "only offers for work with children need a police certificate",
            field="offer",
            code="engagement.certificate.not_needed",
        )
    if request.status not in (R.ACCEPTED, R.COMPLETED):
        raise ConflictError(
            "record the certificate after accepting the request",
            field="status",
            code="engagement.certificate.before_accept",
        )
    errors = ErrorCollector()
    inspected_on = errors.run(_inspection_date, data.get("inspected_on"), today)
    outcome = errors.run(_certificate_outcome, data.get("outcome"))
    errors.raise_any()
    with tenant_context(request.tenant_id):
        request.certificate_inspected_on = inspected_on
        request.certificate_outcome = outcome
        session.flush()


def _inspection_date(raw_date: Any, today: dt.date) -> dt.date:
    try:
        inspected_on = (
            raw_date if isinstance(raw_date, dt.date) else dt.date.fromisoformat(str(raw_date))
        )
    except ValueError:
        raise ValidationError(
            "must be a date (YYYY-MM-DD), got %(raw_date)r",
            field="inspected_on",
            code="engagement.certificate.inspected_on.not_a_date",
            raw_date=raw_date,
        ) from None
    if inspected_on > today:
        raise ValidationError(
            "must not lie in the future",
            field="inspected_on",
            code="engagement.certificate.inspected_on.in_future",
        )
    return inspected_on


def _certificate_outcome(raw: Any) -> CertificateOutcome:
    try:
        return CertificateOutcome(raw)
    except ValueError:
        choices = ", ".join(o.value for o in CertificateOutcome)
        raise ValidationError(
            "%(data)r is not one of: %(choices)s",
            field="outcome",
            code="engagement.certificate.outcome.unknown_choice",
            data=raw,
            choices=choices,
        ) from None


def volunteer_contact(request: ContactRequest) -> dict[str, str] | None:
    """The volunteer's name and e-mail for the organisation — only once accepted."""
    if not request.contact_shared:
        return None
    user = notifications.volunteer_user(request)
    if user is None:
        return None
    return {"name": user.display_name, "email": user.email}


def require_party(request: ContactRequest, user: User | None) -> None:
    """Refuse anyone but the request's volunteer."""
    if user is None or (request.volunteer_tenant_id, request.volunteer_user_id) != (
        user.tenant_id,
        user.id,
    ):
        raise PermissionDenied(
            "this is not your request", field="request", code="engagement.contact.not_own"
        )
