"""E-mail notifications through core's outbox.

Every notification is queued with ``core.mail.queue_mail`` in the transaction of the
change it reports, under a category starting with ``engagement.`` and a dedup key
unique to the event, so a mail server outage loses nothing and a job that runs twice
queues nothing twice. ``rathaus engagement send-notifications`` delivers them.

Mails never carry the other side's contact data before acceptance: they say that
something happened and link to the platform, where the message can be read.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import Tenant, User, cross_tenant, queue_mail, session
from plugins.engagement.models import ContactRequest, Invitation, Opportunity

CATEGORY = "engagement."


def link(tenant: Tenant, path: str) -> str:
    """An absolute link to a page of the engagement service at ``tenant``."""
    return (
        f"{current_app.config['BASE_URL'].rstrip('/')}/{tenant.slug}/engagement/{path.lstrip('/')}"
    )


def _tenant(tenant_id: int) -> Tenant:
    return session.get(Tenant, tenant_id)


def volunteer_user(request: ContactRequest | Invitation) -> User | None:
    """The volunteer's account at their home tenant (None once erased)."""
    if request.volunteer_user_id is None:
        return None
    with cross_tenant("find the volunteer of a contact request at their home municipality"):
        user = session.get(User, request.volunteer_user_id)
    return user if user is not None and user.tenant_id == request.volunteer_tenant_id else None


def _send(to: str, subject: str, body: str, *, kind: str, tenant: Tenant, key: str) -> bool:
    """Queue one mail; False when the same notification was queued before."""
    queued = queue_mail(
        to,
        subject,
        body,
        category=CATEGORY + kind,
        tenant=tenant,
        dedup_key=f"engagement:{tenant.id}:{key}",
    )
    return queued is not None


def new_request(request: ContactRequest) -> None:
    """Tell the organisation about a new contact request."""
    offer = request.opportunity
    tenant = _tenant(offer.tenant_id)
    with force_locale("de"):
        _send(
            offer.organisation.contact_email,
            _("New contact request for “%(title)s”", title=offer.title),
            _(
                "%(name)s would like to get to know you about “%(title)s”.\n\n"
                "Read the request and answer it here:\n%(url)s\n",
                name=request.volunteer_name,
                title=offer.title,
                url=link(tenant, f"organisations/{offer.organisation_id}/requests/{request.id}"),
            ),
            kind="request.new",
            tenant=tenant,
            key=f"request:{request.id}:new",
        )


def request_decided(request: ContactRequest) -> None:
    """Tell the volunteer that the organisation accepted or declined."""
    user = volunteer_user(request)
    if user is None:
        return
    home = _tenant(request.volunteer_tenant_id)
    with force_locale(user.locale or "de"):
        if request.contact_shared:
            subject = _(
                "Your request for “%(title)s” was accepted", title=request.opportunity.title
            )
        else:
            subject = _(
                "Your request for “%(title)s” was answered", title=request.opportunity.title
            )
        body = _(
            "Hello %(name)s,\n\nthe organisation has answered your request. "
            "Read the answer here:\n%(url)s\n",
            name=user.display_name,
            url=link(home, f"my-requests/{request.id}"),
        )
    _send(
        user.email,
        subject,
        body,
        kind="request.decided",
        tenant=home,
        key=f"request:{request.id}:{request.status.value}",
    )


def new_message(request: ContactRequest, message_id: int, to_volunteer: bool) -> None:
    """Tell the other side that a relayed message is waiting (without its text)."""
    offer = request.opportunity
    if to_volunteer:
        user = volunteer_user(request)
        if user is None:
            return
        tenant, to, path = (
            _tenant(request.volunteer_tenant_id),
            user.email,
            f"my-requests/{request.id}",
        )
        locale = user.locale or "de"
    else:
        tenant, to = _tenant(offer.tenant_id), offer.organisation.contact_email
        path = f"organisations/{offer.organisation_id}/requests/{request.id}"
        locale = "de"
    with force_locale(locale):
        _send(
            to,
            _("New message about “%(title)s”", title=offer.title),
            _("You have a new message. Read it here:\n%(url)s\n", url=link(tenant, path)),
            kind="message",
            tenant=tenant,
            key=f"message:{message_id}",
        )


def review_result(offer: Opportunity, decision_id: int, approved: bool, reason: str | None) -> None:
    """Tell the organisation whether its offer was published."""
    tenant = _tenant(offer.tenant_id)
    with force_locale("de"):
        if approved:
            subject = _("Your offer “%(title)s” is published", title=offer.title)
            body = _(
                "Your offer is now visible to citizens:\n%(url)s\n",
                url=link(tenant, f"offers/{offer.id}"),
            )
        else:
            subject = _("Your offer “%(title)s” needs changes", title=offer.title)
            body = _(
                "Your offer was not published. Reason: %(reason)s\n\n"
                "Change it and submit it again:\n%(url)s\n",
                reason=reason or "-",
                url=link(tenant, f"organisations/{offer.organisation_id}/offers/{offer.id}/edit"),
            )
    _send(
        offer.organisation.contact_email,
        subject,
        body,
        kind="review",
        tenant=tenant,
        key=f"review:{decision_id}",
    )


def expiry_reminder(offer: Opportunity) -> bool:
    """Remind the organisation that its offer expires soon (once per expiry date);
    False when the reminder was queued before."""
    tenant = _tenant(offer.tenant_id)
    with force_locale("de"):
        return _send(
            offer.organisation.contact_email,
            _(
                "Your offer “%(title)s” expires on %(date)s",
                title=offer.title,
                date=offer.expires_on.strftime("%d.%m.%Y"),
            ),
            _(
                "If the offer is still current, extend it here:\n%(url)s\n",
                url=link(tenant, f"organisations/{offer.organisation_id}/offers/{offer.id}/edit"),
            ),
            kind="expiry.reminder",
            tenant=tenant,
            key=f"offer:{offer.id}:expires:{offer.expires_on.isoformat()}:reminder",
        )


def expired(offer: Opportunity) -> None:
    """Tell the organisation that its offer has expired."""
    tenant = _tenant(offer.tenant_id)
    with force_locale("de"):
        _send(
            offer.organisation.contact_email,
            _("Your offer “%(title)s” has expired", title=offer.title),
            _(
                "The offer is no longer shown. Extend it to publish it again:\n%(url)s\n",
                url=link(tenant, f"organisations/{offer.organisation_id}/offers/{offer.id}/edit"),
            ),
            kind="expiry.expired",
            tenant=tenant,
            key=f"offer:{offer.id}:expires:{offer.expires_on.isoformat()}:expired",
        )


def invitation(invite: Invitation, user: User) -> None:
    """Invite a volunteer to look at an offer (the organisation sees no contact data)."""
    home = _tenant(user.tenant_id)
    offer = invite.opportunity
    with force_locale(user.locale or "de"):
        _send(
            user.email,
            _("An invitation to volunteer: “%(title)s”", title=offer.title),
            _(
                "Hello %(name)s,\n\n%(organisation)s invites you to get to know them.\n\n"
                "%(message)s\n\n"
                "Look at the offer here:\n%(url)s\n",
                name=user.display_name,
                organisation=offer.organisation.name,
                message=invite.message or "",
                url=link(home, f"offers/{offer.id}"),
            ),
            kind="invitation",
            tenant=home,
            key=f"invitation:{invite.id}",
        )


def content_hidden(offer: Opportunity, reports: int) -> None:
    """Tell the tenant's contact address that reports have hidden an offer."""
    tenant = _tenant(offer.tenant_id)
    if not tenant.contact_email:
        return
    with force_locale("de"):
        _send(
            tenant.contact_email,
            _(
                "Offer hidden after %(count)d reports: “%(title)s”",
                count=reports,
                title=offer.title,
            ),
            _("Please review the reports:\n%(url)s\n", url=link(tenant, "admin/reports")),
            kind="report",
            tenant=tenant,
            key=f"offer:{offer.id}:hidden:{reports}",
        )


def parental_consent(
    parent_email: str, parent_name: str, child_name: str, tenant: Tenant, url: str, profile_id: int
) -> None:
    """Ask a parent to confirm that their child under 16 may use the platform."""
    with force_locale("de"):
        _send(
            parent_email,
            _("Please confirm: %(child)s wants to volunteer", child=child_name),
            _(
                "Hello %(parent)s,\n\n%(child)s has registered for volunteering at %(tenant)s. "
                "Because %(child)s is younger than 16, we need your consent (Art. 8 GDPR). "
                "Please confirm here:\n%(url)s\n\nIf you do not agree, ignore this e-mail.\n",
                parent=parent_name,
                child=child_name,
                tenant=tenant.title,
                url=url,
            ),
            kind="consent",
            tenant=tenant,
            key=f"profile:{profile_id}:consent",
        )
