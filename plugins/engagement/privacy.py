"""DSGVO: what the engagement service stores about a person, and erasing it.

Export (Art. 15/20) covers the volunteer profile, memberships in organisations, the
person's contact requests and messages at every municipality, invitations and
reports. Erasure (Art. 17) deletes the profile, memberships, invitations and the
person's own messages, and anonymises their requests — the organisations keep their
statistics (how many requests, accepted, how fast answered), not the person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from core import Tenant, User, cross_tenant, personal_values, scrub_text, session, tenant_context
from plugins.engagement.models import (
    ContactRequest,
    Invitation,
    Membership,
    Organisation,
    Party,
    Report,
    RequestStatus,
    VolunteerProfile,
    as_plain,
)

ERASED_NAME = "–"
PROFILE_COLUMNS = (
    "birth_year", "consent_status", "parent_name", "parent_email", "consent_given_at", "plz",
    "radius_km", "skills", "languages", "about", "discoverable", "created_at", "updated_at",
)  # fmt: skip
REQUEST_COLUMNS = (
    "id", "status", "volunteer_name", "volunteer_age", "on_waitlist", "created_at", "decided_at",
    "completed_at", "certificate_inspected_on", "certificate_outcome",
)  # fmt: skip


def export_personal_data(user: User) -> dict[str, Any] | None:
    """Everything the engagement service stores about ``user``."""
    if user.tenant_id is None:
        return None
    with tenant_context(user.tenant_id):
        profile = session.scalar(
            select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
        )
        organisations = list(
            session.scalars(
                select(Organisation.name).join(Membership).where(Membership.user_id == user.id)
            )
        )
    data: dict[str, Any] = {
        "profile": None,
        "organisations": organisations,
    }
    if profile is not None:
        data["profile"] = {
            **as_plain(profile, PROFILE_COLUMNS),
            "fields": profile.fields,
            "time_slots": profile.time_slots,
        }
    with cross_tenant("export a person's requests, invitations and reports at every municipality"):
        data["requests"] = [
            _request(r) for r in session.scalars(_requests_of(user.tenant_id, user.id))
        ]
        data["invitations"] = [
            {
                "offer": i.opportunity.title,
                "organisation": i.opportunity.organisation.name,
                "message": i.message,
                "created_at": i.created_at.isoformat(),
            }
            for i in session.scalars(_invitations_of(user.tenant_id, user.id))
        ]
        data["reports"] = [
            {
                "offer": r.opportunity.title,
                "reason": r.reason,
                "status": r.status.value,
                "created_at": r.created_at.isoformat(),
            }
            for r in session.scalars(
                select(Report).where(
                    Report.reporter_tenant_id == user.tenant_id, Report.reporter_user_id == user.id
                )
            )
        ]
    return data


def _request(request: ContactRequest) -> dict[str, Any]:
    return {
        **as_plain(request, REQUEST_COLUMNS),
        "offer": request.opportunity.title,
        "organisation": request.opportunity.organisation.name,
        "messages": [
            {"from": m.sender.value, "body": m.body, "at": m.created_at.isoformat()}
            for m in request.messages
        ],
    }


def _requests_of(tenant_id: int, user_id: int | None) -> Any:
    stmt = select(ContactRequest).where(ContactRequest.volunteer_tenant_id == tenant_id)
    return stmt.where(ContactRequest.volunteer_user_id == user_id) if user_id is not None else stmt


def _invitations_of(tenant_id: int, user_id: int | None) -> Any:
    stmt = select(Invitation).where(Invitation.volunteer_tenant_id == tenant_id)
    return stmt.where(Invitation.volunteer_user_id == user_id) if user_id is not None else stmt


def erase_personal_data(user: User) -> None:
    """Delete or anonymise everything personal about ``user`` (see module docs)."""
    if user.tenant_id is None:
        return
    with tenant_context(user.tenant_id):
        session.execute(delete(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
        session.execute(delete(Membership).where(Membership.user_id == user.id))
    _anonymise(user.tenant_id, user.id, personal_values(user))


def forget_tenant(tenant: Tenant) -> None:
    """Before a tenant's data are purged: anonymise what its citizens left at other
    municipalities (requests, invitations, reports)."""
    _anonymise(tenant.id, None, [])


def _anonymise(tenant_id: int, user_id: int | None, values: list[str]) -> None:
    with cross_tenant("erase a person's traces at every municipality they contacted"):
        for request in session.scalars(_requests_of(tenant_id, user_id)):
            # The organisation's replies stay, without the name they addressed.
            names = sorted({*values, request.volunteer_name} - {ERASED_NAME}, key=len, reverse=True)
            request.decision_reason = scrub_text(request.decision_reason, names)
            for message in list(request.messages):
                if message.sender == Party.VOLUNTEER:
                    request.messages.remove(message)
                    session.delete(message)
                else:
                    message.body = scrub_text(message.body, names) or ""
            if request.status in (RequestStatus.REQUESTED, RequestStatus.ACCEPTED):
                if request.status == RequestStatus.ACCEPTED and not request.on_waitlist:
                    request.opportunity.places_taken = max(0, request.opportunity.places_taken - 1)
                request.status = RequestStatus.WITHDRAWN
            request.volunteer_user_id = None
            request.volunteer_name = ERASED_NAME
            request.volunteer_age = None
            request.certificate_inspected_on = None
            request.certificate_outcome = None
        for invitation in session.scalars(_invitations_of(tenant_id, user_id)):
            session.delete(invitation)
        reports = select(Report).where(Report.reporter_tenant_id == tenant_id)
        if user_id is not None:
            reports = reports.where(Report.reporter_user_id == user_id)
        for report in session.scalars(reports):
            report.reporter_user_id = None
            report.reason = ERASED_NAME  # the reporter's own words
        session.flush()
