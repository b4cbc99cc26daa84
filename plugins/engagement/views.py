"""Web pages under ``/<tenant>/engagement``: citizens, organisations, tenant admins.

Every page answers 404 on tenants without a subscription (``require_subscription``).
Everything works without JavaScript; forms post back and redirect (POST/redirect/GET).
Organisation pages are for the organisation's members, admin pages for those who may
administer the tenant; both only ever see the current tenant's rows (tenant scope).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core import (
    ConflictError,
    EmptyForm,
    NotFoundError,
    PortalLink,
    RathausError,
    Tenant,
    User,
    ValidationError,
    ValidationErrors,
    audit,
    can_administer,
    current_principal,
    error_list,
    log_in,
    login_required,
    require_subscription,
    session,
    tenant_admin_required,
)
from plugins.engagement import (
    contacts,
    forms,
    matching,
    moderation,
    offers,
    opendata,
    stats,
    vocabulary,
    volunteers,
)
from plugins.engagement import organisations as orgs  # the name 'organisations' is a view
from plugins.engagement.models import (
    ConsentStatus,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Party,
    Schedule,
)

SERVICE_KEY = "engagement"


def blueprint() -> Blueprint:
    """A fresh blueprint (one per application)."""
    bp = Blueprint(
        "engagement",
        __name__,
        url_prefix="/<tenant>/engagement",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    bp.context_processor(_template_helpers)
    return require_subscription(bp, SERVICE_KEY)


_LABELS = {
    "field": vocabulary.field_label,
    "skill": vocabulary.skill_label,
    "slot": vocabulary.slot_label,
    "language": vocabulary.language_label,
}


def _template_helpers() -> dict[str, Any]:
    def labels(keys: Any, kind: str) -> str:
        return ", ".join(_LABELS[kind](key) for key in keys)

    def km(value: float) -> str:
        return format_decimal(round(value, 1), "#,##0.0")

    tenant = g.get("tenant")
    return {
        "labels": labels,
        "km": km,
        "format_date": format_date,
        "can_administer_tenant": tenant is not None and can_administer(current_principal(), tenant),
    }


def portal_link(tenant: Tenant) -> PortalLink:
    """The link on the tenant's portal page."""
    return PortalLink(
        service=SERVICE_KEY,
        title=_("Volunteering"),
        url=f"/{tenant.slug}/engagement/",
        description=_("Find an honorary post near you – or volunteers for your association."),
    )


def _user() -> User | None:
    return current_principal().user


def _today() -> dt.date:
    return dt.date.today()


def _fail(template: str, form: Any, error: RathausError, **context: Any) -> tuple[str, int]:
    forms.show_error(form, error)
    return render_template(template, form=form, **context), error.status


# ---------------------------------------------------------------------------------
# Citizens: search, offers, contact
# ---------------------------------------------------------------------------------


def search() -> Any:
    """Search with filters; results show the distance and why they match."""
    form = forms.SearchForm(request.args)
    profile = volunteers.profile_of(_user())
    results: list[matching.Match] = []
    searched = bool(request.args)
    status = 200
    if not searched and profile is not None and profile.plz:
        form.plz.data = profile.plz
    if searched:
        # The form's own checks and the query's (place, distance...) together, so that a
        # wrong postcode and a wrong distance are reported in one go.
        valid = form.validate()
        try:
            query = _query(form, profile).validate()
        except ValidationError as exc:
            forms.show_error(form, _search_fields(exc))
            valid = False
        if valid:
            results = matching.match_opportunities(query, 20, tenant=g.tenant)
        else:
            status = 422
    return render_template(
        "engagement/search.html", form=form, results=results, searched=searched, profile=profile
    ), status


def _search_fields(error: ValidationError) -> ValidationError:
    """The query's errors under the search form's field names."""
    return ValidationErrors(
        [e.with_field("radius") if e.field == "radius_km" else e for e in error_list(error)]
    )


def _query(form: forms.SearchForm, profile: Any) -> matching.SearchQuery:
    remote = {"yes": True, "no": False}.get(form.remote.data or "")
    radius = str(form.radius.data or "")
    query = matching.SearchQuery(
        place=(form.plz.data or "").strip() or None,
        radius_km=int(radius) if radius.isdigit() else 25,
        q=form.q.data or "",
        fields=list(form.fields.data or []),
        schedule=Schedule(form.schedule.data) if form.schedule.data else None,
        remote=remote,
        age=form.age.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        statewide=bool(form.statewide.data),
    )
    if profile is not None:
        # A logged-in volunteer's skills, week and languages refine the ranking.
        query.skills = list(profile.skills or [])
        query.time_slots = profile.time_slots
        query.languages = list(profile.languages or [])
        if query.age is None:
            query.age = profile.age_on(_today())
    return query


def offer_detail(offer_id: int) -> Any:
    """An offer as citizens see it, with the contact form."""
    offer = matching.visible_offer(g.tenant, offer_id, _today())
    return _render_offer(offer, forms.ContactForm(), forms.ReportForm())


def _render_offer(
    offer: Opportunity, contact_form: Any, report_form: Any, status: int = 200
) -> Any:
    user = _user()
    profile = volunteers.profile_of(user)
    offer_tenant = session.get(Tenant, offer.tenant_id)
    return render_template(
        "engagement/offer.html",
        offer=offer,
        offer_tenant=offer_tenant,
        profile=profile,
        form=contact_form,
        report_form=report_form,
        user=user,
    ), status


@login_required
def contact(offer_id: int) -> Any:
    """Send a contact request ("Kennenlernen") to the offer's organisation."""
    offer = matching.visible_offer(g.tenant, offer_id, _today())
    form = forms.ContactForm()
    if not form.validate_on_submit():
        return _render_offer(offer, form, forms.ReportForm(), 422)
    user = _user()
    if user is None:
        abort(403)
    try:
        contact_request = contacts.request_contact(g.tenant, offer_id, user, form.message.data)
    except ValidationError as exc:
        if exc.field == "profile":
            flash(_("Please fill in your volunteer profile first."))
            return redirect(url_for("engagement.profile", next=request.path.rsplit("/", 1)[0]))
        forms.show_error(form, exc.with_field("message"))
        return _render_offer(offer, form, forms.ReportForm(), 422)
    except ConflictError as exc:
        forms.show_error(form, exc.with_field("message"))
        return _render_offer(offer, form, forms.ReportForm(), 409)
    session.commit()
    flash(_("Your request has been sent. The organisation will answer here."))
    return redirect(url_for("engagement.my_request", request_id=contact_request.id))


@login_required
def report(offer_id: int) -> Any:
    """Report an offer as abusive."""
    offer = matching.visible_offer(g.tenant, offer_id, _today())
    form = forms.ReportForm()
    user = _user()
    if user is None:
        abort(403)
    if not form.validate_on_submit():
        return _render_offer(offer, forms.ContactForm(), form, 422)
    try:
        moderation.report_offer(offer, user, form.reason.data)
    except (ValidationError, ConflictError) as exc:
        forms.show_error(form, exc.with_field("reason"))
        return _render_offer(offer, forms.ContactForm(), form, exc.status)
    session.commit()
    flash(_("Thank you. The municipality will look at the offer."))
    return redirect(url_for("engagement.offer_detail", offer_id=offer_id))


# ---------------------------------------------------------------------------------
# Citizens: registration, consent, profile, my requests
# ---------------------------------------------------------------------------------


def register() -> Any:
    """Register as a volunteer: an account at this municipality plus a profile."""
    form = forms.RegisterVolunteerForm()
    if forms.validate_whole_form(form, lambda: volunteers.check_registration(form.data)):
        try:
            user = volunteers.register_volunteer(g.tenant, form.data)
        except (ValidationError, ConflictError) as exc:
            if isinstance(exc, ConflictError):
                exc = ConflictError(
                    "This e-mail address already has an account here. Please log in.",
                    field="email",
                    code="engagement.volunteer.email.exists",
                )
            return _fail("engagement/register.html", form, exc)
        audit.record("engagement.volunteer.registered", f"user:{user.id}", tenant=g.tenant)
        log_in(user)
        session.commit()
        profile = volunteers.profile_of(user)
        if profile is not None and profile.consent_status == ConsentStatus.PENDING:
            flash(_("Welcome! We have asked your parent for consent by e-mail."))
        else:
            flash(_("Welcome! Tell us what interests you."))
        return redirect(url_for("engagement.profile"))
    status = 422 if form.is_submitted() else 200
    return render_template("engagement/register.html", form=form), status


def consent(token: str) -> Any:
    """A parent confirms that their child under 16 may volunteer."""
    try:
        profile = volunteers.profile_for_consent(g.tenant, token)
    except ValidationError as exc:
        return render_template(
            "engagement/consent.html", error=exc.localized(), profile=None, form=None
        ), 404
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        volunteers.give_consent(profile)
        audit.record(
            "engagement.consent.given",
            f"engagement_volunteer_profile:{profile.id}",
            tenant=g.tenant,
        )
        session.commit()
        return render_template(
            "engagement/consent.html", done=True, profile=profile, form=None, error=None
        )
    return render_template(
        "engagement/consent.html", profile=profile, form=form, error=None, done=False
    )


@login_required
def profile() -> Any:
    """The volunteer profile (created on first save for accounts from core's registration)."""
    user = _user()
    if user is None:
        abort(403)
    existing = volunteers.profile_of(user)
    form = forms.ProfileForm(
        obj=_profile_data(existing) if existing and request.method == "GET" else None
    )
    if forms.validate_whole_form(form, lambda: volunteers.check_profile(form.data, existing)):
        try:
            if existing is None:
                volunteers.ensure_profile(user, form.data)
            else:
                volunteers.update_profile(existing, form.data)
        except ValidationError as exc:
            return _fail("engagement/profile.html", form, exc, profile=existing)
        session.commit()
        flash(_("Your profile has been saved."))
        target = request.args.get("next")
        from core import safe_next

        return redirect(safe_next(target) or url_for("engagement.search"))
    status = 422 if form.is_submitted() else 200
    return render_template("engagement/profile.html", form=form, profile=existing), status


class _ProfileData:
    """The profile's values under the form's names."""

    def __init__(self, profile: Any) -> None:
        self.birth_year = profile.birth_year
        self.plz = profile.plz
        self.radius_km = str(profile.radius_km)
        self.fields = profile.fields
        self.skills = list(profile.skills or [])
        self.time_slots = profile.time_slots
        self.languages = list(profile.languages or [])
        self.about = profile.about
        self.discoverable = profile.discoverable


def _profile_data(profile: Any) -> _ProfileData:
    return _ProfileData(profile)


@login_required
def my_requests() -> Any:
    """The volunteer's requests at every municipality, and invitations."""
    user = _user()
    if user is None:
        abort(403)
    return render_template(
        "engagement/my_requests.html",
        requests=contacts.my_requests(user),
        invitations=contacts.my_invitations(user),
    )


@login_required
def my_request(request_id: int) -> Any:
    """One request: the conversation, and the organisation's contact once accepted."""
    user = _user()
    if user is None:
        abort(403)
    contact_request = contacts.my_request(user, request_id)
    form = forms.MessageForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                contacts.post_message(contact_request, Party.VOLUNTEER, form.message.data)
            except (ValidationError, ConflictError) as exc:
                return _fail(
                    "engagement/my_request.html",
                    form,
                    exc.with_field("message"),
                    item=contact_request,
                    withdraw_form=EmptyForm(),
                )
            session.commit()
            flash(_("Your message has been sent."))
            return redirect(url_for("engagement.my_request", request_id=request_id))
        return render_template(
            "engagement/my_request.html", form=form, item=contact_request, withdraw_form=EmptyForm()
        ), 422
    return render_template(
        "engagement/my_request.html", form=form, item=contact_request, withdraw_form=EmptyForm()
    )


@login_required
def withdraw(request_id: int) -> Any:
    """The volunteer withdraws a request."""
    user = _user()
    if user is None:
        abort(403)
    contact_request = contacts.my_request(user, request_id)
    EmptyForm().validate_on_submit()
    contacts.withdraw(contact_request)
    session.commit()
    flash(_("You have withdrawn your request."))
    return redirect(url_for("engagement.my_requests"))


# ---------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------


def _organisation(org_id: int) -> Organisation:
    """The organisation in this tenant that the user manages (404 for everyone else)."""
    organisation = session.get(Organisation, org_id)
    if organisation is None or not orgs.is_member(_user(), organisation):
        raise NotFoundError(
            "no organisation %(org_id)s of yours here",
            field="organisation",
            code="engagement.organisation.not_found",
            org_id=org_id,
        )
    return organisation


@login_required
def organisations() -> Any:
    """The organisations the user manages."""
    user = _user()
    if user is None:
        abort(403)
    return render_template(
        "engagement/organisations.html", organisations=orgs.organisations_of(user)
    )


@login_required
def organisation_new() -> Any:
    """Register an organisation; the user becomes its first member."""
    user = _user()
    if user is None:
        abort(403)
    form = forms.OrganisationForm()
    if forms.validate_whole_form(form, lambda: orgs.organisation_values(form.data)):
        try:
            organisation = orgs.create_organisation(g.tenant, form.data, founder=user)
        except (ValidationError, ConflictError) as exc:
            return _fail("engagement/organisation_form.html", form, exc, organisation=None)
        session.commit()
        flash(_("The organisation has been registered."))
        if not organisation.verified:
            flash(
                _(
                    "The organisation is not verified yet. Until the municipality has "
                    "verified it, its offers wait for review before they are published."
                )
            )
        return redirect(url_for("engagement.organisation", org_id=organisation.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "engagement/organisation_form.html", form=form, organisation=None
    ), status


@login_required
def organisation(org_id: int) -> Any:
    """Manage an organisation: details, members, offers."""
    org = _organisation(org_id)
    form = forms.OrganisationForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = org.kind.value
    if forms.validate_whole_form(form, lambda: orgs.organisation_values(form.data)):
        try:
            orgs.update_organisation(org, form.data)
        except (ValidationError, ConflictError) as exc:
            return _fail(
                "engagement/organisation.html",
                form,
                exc,
                organisation=org,
                member_form=forms.MemberForm(),
                members=_members(org),
            )
        session.commit()
        flash(_("The details have been saved."))
        return redirect(url_for("engagement.organisation", org_id=org.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "engagement/organisation.html",
        form=form,
        organisation=org,
        member_form=forms.MemberForm(),
        members=_members(org),
    ), status


def _members(org: Organisation) -> list[User]:
    return [session.get(User, m.user_id) for m in org.members]


@login_required
def add_member(org_id: int) -> Any:
    """Let another account of this municipality manage the organisation."""
    org = _organisation(org_id)
    form = forms.MemberForm()
    if form.validate_on_submit():
        try:
            orgs.add_member_by_email(org, form.email.data)
        except NotFoundError:
            flash(_("No account with this e-mail address here; ask the person to register first."))
            return redirect(url_for("engagement.organisation", org_id=org.id))
        except ValidationError as exc:
            flash(exc.localized())
            return redirect(url_for("engagement.organisation", org_id=org.id))
        session.commit()
        flash(_("The member has been added."))
    return redirect(url_for("engagement.organisation", org_id=org.id))


def _offer_data(offer: Opportunity) -> dict[str, Any]:
    return {
        "title": offer.title,
        "description": offer.description,
        "fields": offer.fields,
        "skills": list(offer.skills or []),
        "remote": offer.remote,
        "street": offer.street,
        "plz": offer.plz,
        "place": offer.place,
        "reach": offer.reach.value,
        "schedule": offer.schedule.value,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        "time_slots": offer.time_slots,
        "hours_per_week": offer.hours_per_week,
        "min_age": offer.min_age,
        "languages": list(offer.languages or []),
        "accessibility_notes": offer.accessibility_notes,
        "with_children": offer.with_children,
        "places": offer.places,
        "waitlist_open": offer.waitlist_open,
        "expires_on": offer.expires_on,
    }


@login_required
def offer_new(org_id: int) -> Any:
    """Write a new offer (saved as a draft)."""
    org = _organisation(org_id)
    form = forms.OfferForm()
    if forms.validate_whole_form(form, lambda: offers.check_offer(org, form.data)):
        try:
            offer = offers.create_offer(org, form.data)
        except ValidationError as exc:
            return _fail("engagement/offer_form.html", form, exc, organisation=org, offer=None)
        session.commit()
        flash(_("The offer has been saved as a draft. Submit it to publish it."))
        return redirect(url_for("engagement.offer_edit", org_id=org.id, offer_id=offer.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "engagement/offer_form.html", form=form, organisation=org, offer=None
    ), status


@login_required
def offer_edit(org_id: int, offer_id: int) -> Any:
    """Change an offer; shows its status and the actions that apply."""
    org = _organisation(org_id)
    offer = offers.offer_of_organisation(org, offer_id)
    form = forms.OfferForm(data=_offer_data(offer) if request.method == "GET" else None)
    if forms.validate_whole_form(form, lambda: offers.check_offer(org, form.data, offer)):
        try:
            offers.update_offer(offer, form.data)
        except ValidationError as exc:
            return _fail(
                "engagement/offer_form.html",
                form,
                exc,
                organisation=org,
                offer=offer,
                status_form=EmptyForm(),
            )
        session.commit()
        flash(_("The offer has been saved."))
        return redirect(url_for("engagement.offer_edit", org_id=org.id, offer_id=offer.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "engagement/offer_form.html",
        form=form,
        organisation=org,
        offer=offer,
        status_form=EmptyForm(),
    ), status


@login_required
def offer_status(org_id: int, offer_id: int) -> Response:
    """Submit, pause, resume or archive an offer."""
    org = _organisation(org_id)
    offer = offers.offer_of_organisation(org, offer_id)
    EmptyForm().validate_on_submit()
    try:
        offers.change_status(offer, request.form.get("action", ""))
    except (ValidationError, ConflictError) as exc:
        flash(exc.localized())
        return redirect(url_for("engagement.offer_edit", org_id=org.id, offer_id=offer.id))
    session.commit()
    flash(
        {
            OpportunityStatus.PUBLISHED: _("The offer is published."),
            OpportunityStatus.IN_REVIEW: _("The offer has been submitted for review."),
            OpportunityStatus.PAUSED: _("The offer is paused."),
            OpportunityStatus.ARCHIVED: _("The offer has been archived."),
        }.get(offer.status, _("Saved."))
    )
    return redirect(url_for("engagement.offer_edit", org_id=org.id, offer_id=offer.id))


@login_required
def suggestions(org_id: int, offer_id: int) -> Any:
    """Volunteers who opted in and fit the offer; invite them."""
    org = _organisation(org_id)
    offer = offers.offer_of_organisation(org, offer_id)
    form = forms.InviteForm()
    status = 200
    if form.validate_on_submit():
        try:
            volunteers.invite(
                offer, int(request.form.get("profile_id", "0") or 0), form.message.data or ""
            )
        except (ValidationError, NotFoundError, ConflictError) as exc:
            flash(exc.localized())
            status = exc.status
        else:
            session.commit()
            flash(_("The invitation has been sent."))
            return redirect(url_for("engagement.suggestions", org_id=org.id, offer_id=offer.id))
    return render_template(
        "engagement/suggestions.html",
        organisation=org,
        offer=offer,
        form=form,
        suggestions=volunteers.suggest_volunteers(offer),
    ), status


@login_required
def incoming(org_id: int) -> Any:
    """Requests for the organisation's offers."""
    org = _organisation(org_id)
    return render_template(
        "engagement/incoming.html", organisation=org, requests=contacts.requests_of(org)
    )


@login_required
def incoming_request(org_id: int, request_id: int) -> Any:
    """One request: conversation, accept/decline, complete, police certificate."""
    org = _organisation(org_id)
    item = contacts.request_of(org, request_id)
    form = forms.MessageForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                contacts.post_message(item, Party.ORGANISATION, form.message.data)
            except ConflictError as exc:
                forms.show_error(form, exc.with_field("message"))
                status = 409
            else:
                session.commit()
                flash(_("Your message has been sent."))
                return redirect(
                    url_for("engagement.incoming_request", org_id=org.id, request_id=item.id)
                )
        else:
            status = 422
    return _incoming_page(org, item, status, form=form)


def _incoming_page(org: Organisation, item: Any, status: int = 200, **given: Any) -> Any:
    """The page of one incoming request; ``given`` forms replace the empty ones."""
    page_forms = {
        "form": forms.MessageForm(),
        "decision_form": forms.DecisionForm(),
        "certificate_form": forms.CertificateForm(),
        "action_form": EmptyForm(),
        **given,
    }
    return render_template(
        "engagement/incoming_request.html",
        organisation=org,
        item=item,
        contact=contacts.volunteer_contact(item),
        **page_forms,
    ), status


@login_required
def decide(org_id: int, request_id: int) -> Response:
    """Accept or decline a request."""
    org = _organisation(org_id)
    item = contacts.request_of(org, request_id)
    form = forms.DecisionForm()
    if form.validate_on_submit():
        try:
            contacts.decide_request(
                item, request.form.get("decision") == "accept", form.reason.data
            )
        except (ValidationError, ConflictError) as exc:
            flash(exc.localized())
        else:
            session.commit()
            flash(
                _("The volunteer has been told.")
                if not item.contact_shared
                else _("Accepted. You can now see each other's contact details.")
            )
    return redirect(url_for("engagement.incoming_request", org_id=org.id, request_id=item.id))


@login_required
def complete(org_id: int, request_id: int) -> Response:
    """Mark an engagement as completed."""
    org = _organisation(org_id)
    item = contacts.request_of(org, request_id)
    EmptyForm().validate_on_submit()
    try:
        contacts.complete(item)
    except ConflictError as exc:
        flash(exc.localized())
    else:
        session.commit()
        flash(_("Marked as completed. Thank you!"))
    return redirect(url_for("engagement.incoming_request", org_id=org.id, request_id=item.id))


@login_required
def certificate(org_id: int, request_id: int) -> Any:
    """Record the inspection of an extended police certificate (fact, date, outcome)."""
    org = _organisation(org_id)
    item = contacts.request_of(org, request_id)
    form = forms.CertificateForm()
    if not form.validate_on_submit():
        return _incoming_page(org, item, 422, certificate_form=form)
    try:
        contacts.record_certificate(item, form.data)
    except ValidationError as exc:
        forms.show_error(form, exc)
        return _incoming_page(org, item, 422, certificate_form=form)
    except ConflictError as exc:
        flash(exc.localized())
    else:
        session.commit()
        flash(_("The inspection has been recorded."))
    return redirect(url_for("engagement.incoming_request", org_id=org.id, request_id=item.id))


# ---------------------------------------------------------------------------------
# Tenant admins: review queue, reports, organisations, statistics
# ---------------------------------------------------------------------------------


@tenant_admin_required
def review() -> Any:
    """The review queue with bulk approve / reject (with a reason)."""
    form = forms.ReviewForm()
    status = 200
    if form.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("offers") if i.isdigit()]
        approve = request.form.get("decision") == "approve"
        try:
            decided = moderation.decide(
                g.tenant, ids, approve, form.reason.data, current_principal().describe()
            )
        except (ValidationError, NotFoundError) as exc:
            forms.show_error(form, exc)
            status = exc.status
        else:
            session.commit()
            flash(
                _("%(count)d offers published.", count=len(decided))
                if approve
                else _("%(count)d offers sent back.", count=len(decided))
            )
            return redirect(url_for("engagement.review"))
    return render_template(
        "engagement/admin_review.html", form=form, queue=moderation.review_queue(g.tenant)
    ), status


@tenant_admin_required
def reports() -> Any:
    """Reported offers; dismiss (show again) or uphold (archive)."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            moderation.resolve_reports(
                g.tenant,
                int(request.form.get("offer", "0") or 0),
                request.form.get("decision") == "uphold",
            )
        except (NotFoundError, ConflictError) as exc:
            flash(exc.localized())
        else:
            session.commit()
            flash(_("The reports have been resolved."))
        return redirect(url_for("engagement.reports"))
    return render_template(
        "engagement/admin_reports.html", form=form, reported=moderation.reported_offers(g.tenant)
    )


@tenant_admin_required
def admin_organisations() -> Any:
    """Organisations of the tenant; verify them so their offers skip the review."""
    from sqlalchemy import select

    form = EmptyForm()
    if form.validate_on_submit():
        org = session.get(Organisation, int(request.form.get("organisation", "0") or 0))
        if org is None:
            abort(404)
        orgs.set_verified(org, request.form.get("verified") == "1")
        session.commit()
        flash(_("Saved."))
        return redirect(url_for("engagement.admin_organisations"))
    listed = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    return render_template("engagement/admin_organisations.html", form=form, organisations=listed)


@tenant_admin_required
def admin_stats() -> Any:
    """Offers, requests, acceptance rate, answer and review times."""
    return render_template("engagement/admin_stats.html", figures=stats.tenant_statistics(g.tenant))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/", search, ["GET"]),
    ("/offers/<int:offer_id>", offer_detail, ["GET"]),
    ("/offers/<int:offer_id>/contact", contact, ["POST"]),
    ("/offers/<int:offer_id>/report", report, ["POST"]),
    ("/register", register, ["GET", "POST"]),
    ("/consent/<token>", consent, ["GET", "POST"]),
    ("/profile", profile, ["GET", "POST"]),
    ("/my-requests", my_requests, ["GET"]),
    ("/my-requests/<int:request_id>", my_request, ["GET", "POST"]),
    ("/my-requests/<int:request_id>/withdraw", withdraw, ["POST"]),
    ("/organisations", organisations, ["GET"]),
    ("/organisations/new", organisation_new, ["GET", "POST"]),
    ("/organisations/<int:org_id>", organisation, ["GET", "POST"]),
    ("/organisations/<int:org_id>/members", add_member, ["POST"]),
    ("/organisations/<int:org_id>/offers/new", offer_new, ["GET", "POST"]),
    ("/organisations/<int:org_id>/offers/<int:offer_id>/edit", offer_edit, ["GET", "POST"]),
    ("/organisations/<int:org_id>/offers/<int:offer_id>/status", offer_status, ["POST"]),
    ("/organisations/<int:org_id>/offers/<int:offer_id>/suggestions", suggestions, ["GET", "POST"]),
    ("/organisations/<int:org_id>/requests", incoming, ["GET"]),
    ("/organisations/<int:org_id>/requests/<int:request_id>", incoming_request, ["GET", "POST"]),
    ("/organisations/<int:org_id>/requests/<int:request_id>/decision", decide, ["POST"]),
    ("/organisations/<int:org_id>/requests/<int:request_id>/complete", complete, ["POST"]),
    ("/organisations/<int:org_id>/requests/<int:request_id>/certificate", certificate, ["POST"]),
    ("/admin/review", review, ["GET", "POST"]),
    ("/admin/reports", reports, ["GET", "POST"]),
    ("/admin/organisations", admin_organisations, ["GET", "POST"]),
    ("/admin/stats", admin_stats, ["GET"]),
    ("/admin/open-data", tenant_admin_required(opendata.admin_open_data), ["GET", "POST"]),
]
