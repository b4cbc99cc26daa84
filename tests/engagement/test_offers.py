"""Organisations and offers: validation, lifecycle, review, reports, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.db import session
from core.errors import ConflictError, NotFoundError, ValidationError
from core.mail import outbox
from core.models import Role
from core.tenancy import tenant_context
from plugins.engagement import moderation, offers, organisations
from plugins.engagement.models import Opportunity, Reach, ReviewDecision
from plugins.engagement.models import OpportunityStatus as S
from tests.engagement.conftest import change, offer_input

TODAY = dt.date.today()


@pytest.fixture
def unverified(coesfeld, make_organisation):
    return make_organisation(coesfeld, "Lernpaten", verified=False)


@pytest.fixture
def verified(coesfeld, make_organisation):
    return make_organisation(coesfeld, "Tafel", verified=True)


def test_creating_an_organisation_makes_the_founder_a_member(
    coesfeld, make_user, make_organisation
):
    user = make_user(coesfeld, "founder@example.org")

    organisation = make_organisation(coesfeld, "Tafel", founder=user)

    assert organisations.is_member(user, organisation) is True
    assert Role.ORGANISATION_MEMBER in user.roles


def test_organisation_names_are_unique_per_tenant(coesfeld, duelmen, make_organisation):
    make_organisation(coesfeld, "Tafel")
    make_organisation(duelmen, "Tafel")

    with pytest.raises(ConflictError) as error:
        make_organisation(coesfeld, "Tafel")

    assert (error.value.field, error.value.message) == (
        "name",
        "an organisation named 'Tafel' exists here",
    )


def test_members_must_belong_to_the_organisations_tenant(verified, duelmen, make_user):
    stranger = make_user(duelmen, "stranger@example.org")

    with pytest.raises(ValidationError) as error:
        organisations.add_member(verified, stranger)

    assert (error.value.field, error.value.message) == (
        "email",
        "the account belongs to another municipality",
    )


def test_an_offer_is_geocoded_from_its_postcode(verified):
    offer = offers.create_offer(verified, offer_input(plz="48301"))

    assert (offer.place, offer.lat, offer.lon, offer.coverage_prefix) == (
        "Nottuln",
        51.9333,
        7.35,
        "05558012",
    )


@pytest.mark.parametrize(
    ("reach", "prefix"), [("local", "05558012"), ("kreis", "05558"), ("land", "05")]
)
def test_reach_sets_the_covered_area(verified, reach, prefix):
    offer = offers.create_offer(verified, offer_input(reach=reach))

    assert (offer.reach, offer.coverage_prefix) == (Reach(reach), prefix)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": " "}, "title", "must not be empty"),
        ({"fields": []}, "fields", "choose at least one field of engagement"),
        (
            {"fields": ["cooking"]},
            "fields",
            "'cooking' is not one of: "
            + ", ".join(
                [
                    "sport",
                    "culture",
                    "education",
                    "children_youth",
                    "seniors",
                    "social",
                    "health",
                    "environment",
                    "animals",
                    "integration",
                    "inclusion",
                    "civil_protection",
                    "democracy",
                    "religion",
                    "digital",
                    "heritage",
                ]
            ),
        ),
        ({"plz": "4865"}, "plz", "must be a postcode of 5 digits"),
        (
            {"plz": "", "place": ""},
            "plz",
            "give a postcode or a place, or mark the offer as remote",
        ),
        ({"plz": "00000"}, "plz", "'00000' is not a known German postcode or place"),
        ({"schedule": "one_off"}, "starts_on", "a one-off offer needs a date"),
        ({"expires_on": TODAY.isoformat()}, "expires_on", "must lie in the future"),
        ({"min_age": "abc"}, "min_age", "must be a whole number, got 'abc'"),
        ({"languages": ["xx"]}, "languages", "'xx' is not an ISO 639-1 language code"),
    ],
)
def test_bad_offer_input_names_the_field_and_stores_nothing(verified, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        offers.create_offer(verified, offer_input(**overrides))

    assert (error.value.field, error.value.message) == (field, message)
    with tenant_context(verified.tenant_id):
        assert session.scalar(select(func.count(Opportunity.id))) == 0


def test_offers_of_verified_organisations_publish_without_review(verified, make_offer):
    offer = make_offer(verified)

    assert offer.status == S.PUBLISHED
    assert offer.published_at is not None


def test_offers_of_unverified_organisations_go_into_review(unverified, make_offer, coesfeld):
    offer = make_offer(unverified)

    assert offer.status == S.IN_REVIEW
    assert moderation.review_queue(coesfeld) == [offer]


def test_bulk_approval_publishes_and_records_the_decision(unverified, make_offer, coesfeld):
    first, second = make_offer(unverified, title="A"), make_offer(unverified, title="B")

    moderation.decide(coesfeld, [first.id, second.id], True, None, "user:1:admin@example.org")
    session.commit()

    assert (first.status, second.status) == (S.PUBLISHED, S.PUBLISHED)
    decisions = session.query(ReviewDecision).execution_options(cross_tenant=True).all()
    assert [(d.opportunity_id, d.decision.value) for d in decisions] == [
        (first.id, "approved"),
        (second.id, "approved"),
    ]


def test_rejection_needs_a_reason(unverified, make_offer, coesfeld):
    offer = make_offer(unverified)

    with pytest.raises(ValidationError) as error:
        moderation.decide(coesfeld, [offer.id], False, "  ", "admin")

    assert (error.value.field, error.value.message) == ("reason", "say why the offers are rejected")


def test_rejection_sends_the_offer_back_to_draft_with_the_reason_and_a_mail(
    unverified, make_offer, coesfeld
):
    offer = make_offer(unverified)

    moderation.decide(coesfeld, [offer.id], False, "Bitte Ort angeben.", "admin")
    session.commit()

    assert (offer.status, offer.review_note) == (S.DRAFT, "Bitte Ort angeben.")
    (mail,) = outbox(coesfeld)
    assert (mail.to_address, mail.category) == ("kontakt@tafel.example.org", "engagement.review")


def test_a_decision_on_an_offer_not_in_review_changes_nothing(
    unverified, verified, make_offer, coesfeld
):
    waiting = make_offer(unverified)
    published = make_offer(verified)

    with pytest.raises(NotFoundError) as error:
        moderation.decide(coesfeld, [waiting.id, published.id], True, None, "admin")

    assert error.value.message == f"offer {published.id} is not waiting for review here"
    assert waiting.status == S.IN_REVIEW


def test_a_tenant_cannot_decide_on_another_tenants_offers(duelmen, unverified, make_offer):
    offer = make_offer(unverified)

    with pytest.raises(NotFoundError):
        moderation.decide(duelmen, [offer.id], True, None, "admin")


def test_editing_a_published_offer_of_an_unverified_organisation_needs_review_again(
    unverified, make_offer, coesfeld
):
    offer = make_offer(unverified)
    moderation.decide(coesfeld, [offer.id], True, None, "admin")

    offers.update_offer(offer, offer_input(title="Neu"))

    assert offer.status == S.IN_REVIEW


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("pause", S.PUBLISHED, S.PAUSED),
        ("resume", S.PAUSED, S.PUBLISHED),
        ("archive", S.PUBLISHED, S.ARCHIVED),
    ],
)
def test_status_actions(verified, make_offer, action, start, end):
    offer = make_offer(verified)
    change(offer, status=start)

    offers.change_status(offer, action)

    assert offer.status == end


def test_a_status_action_that_does_not_apply_is_a_conflict(verified, make_offer):
    offer = make_offer(verified)

    with pytest.raises(ConflictError) as error:
        offers.change_status(offer, "resume")

    assert error.value.message == "cannot resume an offer that is published"


def test_three_reports_by_different_people_hide_an_offer_and_tell_the_tenant(
    verified, make_offer, coesfeld, duelmen, make_user
):
    offer = make_offer(verified)
    reporters = [
        make_user(coesfeld, "r1@example.org"),
        make_user(coesfeld, "r2@example.org"),
        make_user(duelmen, "r3@example.org"),
    ]

    for number, reporter in enumerate(reporters, start=1):
        moderation.report_offer(offer, reporter, "Werbung für ein Geschäft")
        session.commit()
        assert offer.hidden is (number == 3)
    assert [m.category for m in outbox(coesfeld)] == ["engagement.report"]


def test_the_same_person_cannot_report_twice(verified, make_offer, coesfeld, make_user):
    offer = make_offer(verified)
    reporter = make_user(coesfeld, "r1@example.org")
    moderation.report_offer(offer, reporter, "Spam")

    with pytest.raises(ConflictError) as error:
        moderation.report_offer(offer, reporter, "Spam")

    assert error.value.message == "you have reported this offer already"


def test_dismissing_reports_shows_the_offer_again(verified, make_offer, coesfeld, make_user):
    offer = make_offer(verified)
    moderation.report_offer(offer, make_user(coesfeld, "r1@example.org"), "Spam")
    change(offer, hidden=True)

    moderation.resolve_reports(coesfeld, offer.id, uphold=False)

    assert (offer.hidden, offer.status, moderation.reported_offers(coesfeld)) == (
        False,
        S.PUBLISHED,
        [],
    )


def test_upholding_reports_archives_the_offer(verified, make_offer, coesfeld, make_user):
    offer = make_offer(verified)
    moderation.report_offer(offer, make_user(coesfeld, "r1@example.org"), "Spam")

    moderation.resolve_reports(coesfeld, offer.id, uphold=True)

    assert offer.status == S.ARCHIVED


def test_expiry_job_expires_past_offers_and_reminds_a_week_before_once(
    verified, make_offer, coesfeld
):
    old = make_offer(verified, title="Alt")
    soon = make_offer(verified, title="Bald")
    later = make_offer(verified, title="Später")
    change(old, expires_on=TODAY - dt.timedelta(days=1))
    change(soon, expires_on=TODAY + dt.timedelta(days=7))
    change(later, expires_on=TODAY + dt.timedelta(days=8))

    first = offers.expire_offers(TODAY)
    session.commit()
    second = offers.expire_offers(TODAY)
    session.commit()

    assert (first.as_dict(), second.as_dict()) == (
        {"expired": 1, "reminded": 1},
        {"expired": 0, "reminded": 0},
    )
    assert (old.status, soon.status, later.status) == (S.EXPIRED, S.PUBLISHED, S.PUBLISHED)
    assert sorted(m.category for m in outbox(coesfeld)) == [
        "engagement.expiry.expired",
        "engagement.expiry.reminder",
    ]


def test_an_expired_offer_becomes_a_draft_when_extended(verified, make_offer):
    offer = make_offer(verified)
    change(offer, status=S.EXPIRED)

    offers.update_offer(offer, offer_input(expires_on=(TODAY + dt.timedelta(days=30)).isoformat()))

    assert offer.status == S.DRAFT
