"""The engagement plugin's tables, all in one place: importing this module registers
every one (core imports a plugin's ``models`` when it needs the whole schema:
:meth:`core.plugins.PluginHost.import_models`).

The tables live in modules by subject, and this module re-exports their classes, so
``from plugins.engagement.models import Opportunity`` works wherever it is written:

* :mod:`plugins.engagement.offer_models` — organisations, their members, offers, the
  search version counter;
* :mod:`plugins.engagement.volunteer_models` — volunteers' profiles, contact requests,
  messages, invitations;
* :mod:`plugins.engagement.moderation_models` — reports and review decisions.

Every table is tenant-scoped (``TenantScoped``): an organisation, its offers and the
requests it receives belong to the municipality the organisation registered with. A
volunteer's profile belongs to the volunteer's home municipality (where their account
is). A contact request to another municipality's offer lives with the offer and names
the volunteer by home tenant and user id, without a foreign key across tenants, so
that each Kommune's data stays together and tenant isolation holds.
"""

from __future__ import annotations

from plugins.engagement.moderation_models import (
    Report,
    ReportStatus,
    ReviewDecision,
    ReviewDecisionKind,
)
from plugins.engagement.offer_models import (
    Membership,
    Opportunity,
    OpportunityStatus,
    Organisation,
    OrganisationKind,
    Reach,
    Schedule,
    SearchVersion,
    as_plain,
)
from plugins.engagement.volunteer_models import (
    CertificateOutcome,
    ConsentStatus,
    ContactRequest,
    Invitation,
    Message,
    Party,
    RequestStatus,
    VolunteerProfile,
)

__all__ = [
    "CertificateOutcome",
    "ConsentStatus",
    "ContactRequest",
    "Invitation",
    "Membership",
    "Message",
    "Opportunity",
    "OpportunityStatus",
    "Organisation",
    "OrganisationKind",
    "Party",
    "Reach",
    "Report",
    "ReportStatus",
    "RequestStatus",
    "ReviewDecision",
    "ReviewDecisionKind",
    "Schedule",
    "SearchVersion",
    "VolunteerProfile",
    "as_plain",
]
