"""The engagement HTTP API under ``/api/v1/tenants/<tenant>/engagement``.

Reads (search, detail, open data) are public. Writes need a bearer token: an
organisation's members manage its offers with their personal access keys (as on the
organisation pages), a registered user may register an organisation and becomes its
first member; review, statistics and the list of organisations are for those who may
administer the tenant (a tenant token, an admin's personal key, or an operator's).
A token never acts on another tenant: it gets 403 there.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import flask_smorest
from flask import Response, current_app, g, request
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from webargs.flaskparser import FlaskParser

from core import (
    NotFoundError,
    PermissionDenied,
    can_administer,
    current_principal,
    login_required,
    require_subscription,
    session,
    tenant_admin_required,
    tenant_api_prefix,
)
from plugins.engagement import (
    describe,
    matching,
    moderation,
    offers,
    opendata,
    organisations,
    stats,
)
from plugins.engagement.describe import offer_data
from plugins.engagement.models import Opportunity, OpportunityStatus, Organisation, Schedule
from plugins.engagement.schemas import (
    EngagementOpenDataSchema,
    EngagementOpportunityInputSchema,
    EngagementOpportunitySchema,
    EngagementOrganisationInputSchema,
    EngagementOrganisationSchema,
    EngagementReviewDecisionSchema,
    EngagementSearchArgsSchema,
    EngagementSearchSchema,
    EngagementStatisticsSchema,
    EngagementStatusChangeSchema,
)


class _RememberingParser(FlaskParser):
    """webargs' Flask parser that remembers what query strings parsed to.

    The search's arguments depend on the query string alone, and parsing them through
    the schema costs more than answering a repeated search from the result cache; so
    up to ``SIZE`` successful parses are kept per schema and query string (then all are
    forgotten and it starts again: plain dict operations, safe between threads). Failed
    parses raise as before and are not kept; bodies are parsed every time.
    """

    SIZE = 1024

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[int, bytes], dict[str, Any]] = {}

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None, **kw: Any) -> Any:
        """Parse as webargs does; query strings seen before are answered from memory."""
        if location != "query":
            return super().parse(argmap, req, location=location, **kw)
        key = (id(argmap), (req or request).query_string)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = super().parse(argmap, req, location=location, **kw)
            if len(self._parsed) >= self.SIZE:
                self._parsed.clear()
            self._parsed[key] = parsed
        # A copy: the view may change what it gets (lists included).
        return {k: list(v) if isinstance(v, list) else v for k, v in parsed.items()}


class _Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = _RememberingParser()


def blueprint() -> flask_smorest.Blueprint:
    """A fresh API blueprint (one per application)."""
    blp = _Blueprint(
        "engagement_api",
        __name__,
        url_prefix=tenant_api_prefix("engagement"),
        description="Volunteer engagement: search offers, manage organisations and offers, review.",
    )
    require_subscription(blp, "engagement")

    @blp.route("/opportunities")
    class Opportunities(MethodView):
        # An instance, not the class: webargs would build a new schema for every request.
        @blp.arguments(EngagementSearchArgsSchema(), location="query")
        @blp.response(200, EngagementSearchSchema)
        @blp.doc(security=[])
        def get(self, args: dict[str, Any]) -> Any:
            """Ranked search: each item with ``distance_km``, ``score`` and ``reasons``."""
            query = matching.SearchQuery(
                place=args["plz"],
                radius_km=args["radius_km"],
                q=args["q"],
                fields=args["fields"],
                statewide=args["statewide"],
                schedule=Schedule(args["schedule"]) if args["schedule"] else None,
                remote=args["remote"],
                age=args["age"],
                date_from=args["date_from"],
                date_to=args["date_to"],
            )
            # Already in the schema's dumped form and encoded (see describe.py): sent as it is.
            body = describe.search_answer(query, args["limit"], tenant=g.tenant)
            return current_app.response_class(body, mimetype=current_app.json.mimetype)

        @login_required
        @blp.arguments(EngagementOpportunityInputSchema)
        @blp.response(201, EngagementOpportunitySchema)
        def post(self, data: dict[str, Any]) -> Any:
            """Create a draft offer for one of the tenant's organisations (its members and
            the tenant's admins)."""
            organisation = _managed_organisation(data.pop("organisation_id"))
            offer = offers.create_offer(organisation, data)
            session.commit()
            return offer_data(offer, g.tenant.slug)

    @blp.route("/opportunities/<int:offer_id>")
    class OpportunityItem(MethodView):
        @blp.response(200, EngagementOpportunitySchema)
        @blp.doc(security=[])
        def get(self, offer_id: int) -> Any:
            """A published offer visible from this tenant (its own, or one whose reach
            covers it)."""
            offer = matching.visible_offer(g.tenant, offer_id)
            return offer_data(offer, _slug(offer.tenant_id))

        @login_required
        @blp.arguments(EngagementOpportunityInputSchema)
        @blp.response(200, EngagementOpportunitySchema)
        def put(self, data: dict[str, Any], offer_id: int) -> Any:
            """Replace an offer's details (a published offer of an unverified organisation
            goes back into review). An offer never moves to another organisation."""
            offer = _managed_offer(offer_id)
            data.pop("organisation_id")
            offers.update_offer(offer, data)
            session.commit()
            return offer_data(offer, g.tenant.slug)

    @blp.route("/opportunities/<int:offer_id>/status")
    class OpportunityStatusChange(MethodView):
        @login_required
        @blp.arguments(EngagementStatusChangeSchema)
        @blp.response(200, EngagementOpportunitySchema)
        def post(self, data: dict[str, Any], offer_id: int) -> Any:
            """``submit``, ``pause``, ``resume`` or ``archive`` an offer."""
            offer = offers.change_status(_managed_offer(offer_id), data["action"])
            session.commit()
            return offer_data(offer, g.tenant.slug)

    @blp.route("/organisations")
    class Organisations(MethodView):
        @tenant_admin_required
        @blp.response(200, EngagementOrganisationSchema(many=True))
        def get(self) -> Any:
            """The tenant's organisations (with contact data: for its admins only)."""
            return list(session.scalars(select(Organisation).order_by(Organisation.name)))

        @login_required
        @blp.arguments(EngagementOrganisationInputSchema)
        @blp.response(201, EngagementOrganisationSchema)
        def post(self, data: dict[str, Any]) -> Any:
            """Register an organisation at the tenant. A registered user of the tenant
            (personal access key) becomes its first member; an admin's stays memberless."""
            organisation = organisations.create_organisation(g.tenant, data, founder=_founder())
            session.commit()
            return organisation

    @blp.route("/review-queue")
    class ReviewQueue(MethodView):
        @tenant_admin_required
        @blp.response(200, EngagementOpportunitySchema(many=True))
        def get(self) -> Any:
            """Offers waiting for review, longest waiting first."""
            return [offer_data(o, g.tenant.slug) for o in moderation.review_queue(g.tenant)]

        @tenant_admin_required
        @blp.arguments(EngagementReviewDecisionSchema)
        @blp.response(200, EngagementOpportunitySchema(many=True))
        def post(self, data: dict[str, Any]) -> Any:
            """Approve or reject several offers at once (rejecting needs a reason)."""
            decided = moderation.decide(
                g.tenant,
                data["offers"],
                data["decision"] == "approve",
                data["reason"],
                current_principal().describe(),
            )
            session.commit()
            return [offer_data(o, g.tenant.slug) for o in decided]

    @blp.route("/statistics")
    class Statistics(MethodView):
        @tenant_admin_required
        @blp.response(200, EngagementStatisticsSchema)
        def get(self) -> Any:
            """Offers, requests, acceptance rate, time to first answer, review waits."""
            return stats.tenant_statistics(g.tenant)

    @blp.route("/open-data/opportunities.json")
    class OpenDataJson(MethodView):
        @blp.response(200, EngagementOpenDataSchema)
        @blp.doc(security=[])
        def get(self) -> Any:
            """Open data: the tenant's published offers, no personal data, with licence
            and a link to the DCAT-AP.de record."""
            return opendata.document(_published(), g.tenant), 200, _open_data_headers()

    @blp.route("/open-data/opportunities.csv")
    class OpenDataCsv(MethodView):
        @blp.doc(
            security=[],
            responses={
                "200": {
                    "description": "CSV (UTF-8, comma-separated)",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            },
        )
        def get(self) -> Response:
            """Open data as CSV: one row per offer; the licence URL in every row."""
            return Response(
                opendata.csv_text(_published(), g.tenant),
                mimetype="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="engagement-{g.tenant.slug}.csv"',
                    **_open_data_headers(),
                },
            )

    @blp.route("/open-data/dcat.jsonld")
    class OpenDataCatalogue(MethodView):
        @blp.doc(
            security=[],
            responses={
                "200": {
                    "description": "DCAT-AP.de dataset record (JSON-LD)",
                    "content": {"application/ld+json": {"schema": {"type": "object"}}},
                }
            },
        )
        def get(self) -> Response:
            """The DCAT-AP.de metadata record of the open data, for GovData-style portals."""
            body = json.dumps(
                opendata.dcat_record(g.tenant, dt.date.today()), ensure_ascii=False, indent=2
            )
            return Response(body, mimetype="application/ld+json")

    return blp


def _organisation(org_id: int) -> Organisation:
    organisation = session.get(Organisation, org_id)
    if organisation is None:
        raise NotFoundError(
            "no organisation %(org_id)s here",
            field="organisation_id",
            code="engagement.organisation.not_found",
            org_id=org_id,
        )
    return organisation


def _own_offer(offer_id: int) -> Opportunity:
    offer = session.get(Opportunity, offer_id)
    if offer is None:
        raise NotFoundError(
            "no offer %(offer_id)s here",
            field="offer",
            code="engagement.offer.not_found",
            offer_id=offer_id,
        )
    return offer


def _require_manager(organisation: Organisation) -> None:
    """Refuse callers who neither administer the tenant nor belong to the organisation."""
    principal = current_principal()
    if not can_administer(principal, g.tenant):
        organisations.require_member(principal.user, organisation)


def _managed_organisation(org_id: int) -> Organisation:
    organisation = _organisation(org_id)
    _require_manager(organisation)
    return organisation


def _managed_offer(offer_id: int) -> Opportunity:
    offer = _own_offer(offer_id)
    _require_manager(offer.organisation)
    return offer


def _founder() -> Any:
    """The account that founds an organisation registered through the API: None for
    admins, the caller for the tenant's own registered users; anyone else is refused."""
    principal = current_principal()
    if can_administer(principal, g.tenant):
        return None
    user = principal.user
    if user is None or user.tenant_id != g.tenant.id:
        raise PermissionDenied(
            "only this municipality's registered users and admins register organisations",
            field="organisation",
            code="engagement.organisation.register_forbidden",
        )
    return user


def _slug(tenant_id: int) -> str:
    from core import Tenant

    return session.get(Tenant, tenant_id).slug


def _published() -> list[Opportunity]:
    """The current tenant's offers that citizens see today."""
    stmt = (
        select(Opportunity)
        .where(
            Opportunity.status == OpportunityStatus.PUBLISHED,
            Opportunity.hidden.is_(False),
            Opportunity.expires_on >= dt.date.today(),
        )
        .options(selectinload(Opportunity.organisation))
        .order_by(Opportunity.id)
    )
    return list(session.scalars(stmt))


def _open_data_headers() -> dict[str, str]:
    return {"Link": opendata.link_header(g.tenant)}
