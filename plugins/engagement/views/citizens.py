"""Citizens' pages: search, offers, contact and reports; registration, consent,
profile and their own requests."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import (
    ConflictError,
    EmptyForm,
    Tenant,
    ValidationError,
    ValidationErrors,
    audit,
    error_list,
    log_in,
    login_required,
    session,
)
from plugins.engagement import (
    contacts,
    forms,
    matching,
    moderation,
    volunteers,
)
from plugins.engagement.models import (
    ConsentStatus,
    Opportunity,
    Party,
    Schedule,
)
from plugins.engagement.views.common import current_user, fail, today


def search() -> Any:
    """Search with filters; results show the distance and why they match."""
    form = forms.SearchForm(request.args)
    profile = volunteers.profile_of(current_user())
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
            query.age = profile.age_on(today())
    return query


def offer_detail(offer_id: int) -> Any:
    """An offer as citizens see it, with the contact form."""
    offer = matching.visible_offer(g.tenant, offer_id, today())
    return _render_offer(offer, forms.ContactForm(), forms.ReportForm())


def _render_offer(
    offer: Opportunity, contact_form: Any, report_form: Any, status: int = 200
) -> Any:
    user = current_user()
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
    offer = matching.visible_offer(g.tenant, offer_id, today())
    form = forms.ContactForm()
    if not form.validate_on_submit():
        return _render_offer(offer, form, forms.ReportForm(), 422)
    user = current_user()
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
    offer = matching.visible_offer(g.tenant, offer_id, today())
    form = forms.ReportForm()
    user = current_user()
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
            return fail("engagement/register.html", form, exc)
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
    user = current_user()
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
            return fail("engagement/profile.html", form, exc, profile=existing)
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
    user = current_user()
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
    user = current_user()
    if user is None:
        abort(403)
    contact_request = contacts.my_request(user, request_id)
    form = forms.MessageForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                contacts.post_message(contact_request, Party.VOLUNTEER, form.message.data)
            except (ValidationError, ConflictError) as exc:
                return fail(
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
    user = current_user()
    if user is None:
        abort(403)
    contact_request = contacts.my_request(user, request_id)
    EmptyForm().validate_on_submit()
    contacts.withdraw(contact_request)
    session.commit()
    flash(_("You have withdrawn your request."))
    return redirect(url_for("engagement.my_requests"))


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
]
