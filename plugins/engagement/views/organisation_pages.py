"""Pages of an organisation's members: the organisation, its members and offers,
suggested volunteers and the requests that come in."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core import (
    ConflictError,
    EmptyForm,
    NotFoundError,
    User,
    ValidationError,
    login_required,
    session,
)
from plugins.engagement import (
    contacts,
    forms,
    offers,
    volunteers,
)
from plugins.engagement import organisations as orgs  # the name 'organisations' is a view
from plugins.engagement.models import (
    Opportunity,
    OpportunityStatus,
    Organisation,
    Party,
)
from plugins.engagement.views.common import current_user, fail


def _organisation(org_id: int) -> Organisation:
    """The organisation in this tenant that the user manages (404 for everyone else)."""
    organisation = session.get(Organisation, org_id)
    if organisation is None or not orgs.is_member(current_user(), organisation):
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
    user = current_user()
    if user is None:
        abort(403)
    return render_template(
        "engagement/organisations.html", organisations=orgs.organisations_of(user)
    )


@login_required
def organisation_new() -> Any:
    """Register an organisation; the user becomes its first member."""
    user = current_user()
    if user is None:
        abort(403)
    form = forms.OrganisationForm()
    if forms.validate_whole_form(form, lambda: orgs.organisation_values(form.data)):
        try:
            organisation = orgs.create_organisation(g.tenant, form.data, founder=user)
        except (ValidationError, ConflictError) as exc:
            return fail("engagement/organisation_form.html", form, exc, organisation=None)
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
            return fail(
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
            return fail("engagement/offer_form.html", form, exc, organisation=org, offer=None)
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
            return fail(
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


ROUTES: list[tuple[str, Any, list[str]]] = [
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
]
