"""Matching: hard filters, radius, ranking, reasons, statewide reach."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from core.errors import ValidationError
from plugins.engagement import geo
from plugins.engagement.matching import SearchQuery, match_opportunities
from plugins.engagement.models import OpportunityStatus
from tests.engagement.conftest import change as change_row

TODAY = dt.date.today()


def titles(matches):
    return [m.opportunity.title for m in matches]


def reasons(match):
    with force_locale("en"):
        return [r.text for r in match.reasons]


def km(a: str, b: str) -> float:
    pa, pb = geo.geocode(a), geo.geocode(b)
    return geo.distance_km(pa.lat, pa.lon, pb.lat, pb.lon)


@pytest.fixture
def tafel(coesfeld, make_organisation):
    return make_organisation(coesfeld)


def test_search_by_plz_keeps_offers_inside_the_radius_nearest_first(tafel, make_offer, coesfeld):
    make_offer(tafel, title="In Coesfeld", plz="48653")
    make_offer(tafel, title="In Nottuln", plz="48301")
    make_offer(tafel, title="In Lüdinghausen", plz="59348")

    found = match_opportunities(SearchQuery(place="48653", radius_km=15), tenant=coesfeld)

    assert titles(found) == ["In Coesfeld", "In Nottuln"]
    assert found[1].distance_km == pytest.approx(km("48653", "48301"))
    assert [m.score for m in found] == [100, round(100 * (1 - km("48653", "48301") / 15))]


def test_distance_reason_names_the_kilometres_and_the_place(tafel, make_offer, coesfeld):
    make_offer(tafel, title="In Nottuln", plz="48301")

    (match,) = match_opportunities(SearchQuery(place="48653", radius_km=25), tenant=coesfeld)

    assert reasons(match) == [
        f"{km('48653', '48301'):.1f} km from Coesfeld",
        "Offered in your municipality",
    ]


def test_german_reasons_use_a_decimal_comma(tafel, make_offer, coesfeld):
    make_offer(tafel, title="In Nottuln", plz="48301")

    (match,) = match_opportunities(SearchQuery(place="48653", radius_km=25), tenant=coesfeld)

    with force_locale("de"):
        expected = f"{km('48653', '48301'):.1f}".replace(".", ",") + " km von Coesfeld entfernt"
        assert match.reasons[0].text == expected


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("status", OpportunityStatus.DRAFT),
        ("status", OpportunityStatus.PAUSED),
        ("status", OpportunityStatus.IN_REVIEW),
        ("hidden", True),
        ("expires_on", TODAY - dt.timedelta(days=1)),
        ("min_age", 18),
    ],
)
def test_hard_filters_drop_offers_citizens_must_not_see(tafel, make_offer, coesfeld, change, value):
    offer = make_offer(tafel)
    make_offer(tafel, title="Visible")
    change_row(offer, **{change: value})

    found = match_opportunities(SearchQuery(place="48653", age=16), tenant=coesfeld)

    assert titles(found) == ["Visible"]


def test_a_full_offer_without_waitlist_is_dropped(tafel, make_offer, coesfeld):
    offer = make_offer(tafel, places=2)
    change_row(offer, places_taken=2)

    assert match_opportunities(SearchQuery(place="48653"), tenant=coesfeld) == []


def test_a_full_offer_with_open_waitlist_is_shown_with_that_reason(tafel, make_offer, coesfeld):
    offer = make_offer(tafel, places=2, waitlist_open=True)
    change_row(offer, places_taken=2)

    (match,) = match_opportunities(SearchQuery(place="48653"), tenant=coesfeld)

    assert reasons(match)[-1] == "All places taken – the waiting list is open"


def test_fields_filter_keeps_offers_sharing_a_field_and_says_which(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Social", fields=["social", "seniors"])
    make_offer(tafel, title="Sport", fields=["sport"])

    (match,) = match_opportunities(
        SearchQuery(place="48653", fields=["seniors", "culture"]), tenant=coesfeld
    )

    assert match.opportunity.title == "Social"
    assert "Matches your interests: Older people" in reasons(match)
    # distance 35 of 35, fields 1 of 2 shared -> 15 of 30: 50 of 65 points
    assert match.score == round(100 * 50 / 65)


def test_remote_offers_need_no_place_and_are_found_anywhere(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Online", remote=True, plz="")

    (match,) = match_opportunities(SearchQuery(place="80331", radius_km=5), tenant=coesfeld)

    assert match.distance_km is None
    assert reasons(match) == ["Can be done from home", "Offered in your municipality"]


def test_remote_filter_excludes_on_site_offers(tafel, make_offer, coesfeld):
    make_offer(tafel, title="Online", remote=True, plz="")
    make_offer(tafel, title="On site")

    found = match_opportunities(SearchQuery(place="48653", remote=True), tenant=coesfeld)

    assert titles(found) == ["Online"]


def test_profile_skills_time_and_language_give_reasons(tafel, make_offer, coesfeld, make_volunteer):
    make_offer(
        tafel,
        skills=["driving_licence", "organising"],
        time_slots=["tue-afternoon", "thu-afternoon"],
        languages=["de", "tr"],
    )
    user = make_volunteer(
        coesfeld,
        "vera@example.org",
        fields=["social"],
        skills=["organising"],
        time_slots=["tue-afternoon"],
        languages=["tr"],
        radius_km=10,
    )
    from plugins.engagement.volunteers import profile_of

    (match,) = match_opportunities(profile_of(user), tenant=coesfeld)

    assert reasons(match) == [
        "0.0 km from 48653",
        "Matches your interests: Social work and neighbourhood",
        "Wants your skills: Organising events",
        "Fits your free time: Tuesday afternoon",
        "Possible in Turkish",
        "Offered in your municipality",
    ]
    # 35 + 30 + 15 * 1/2 + 15 * 1/2 + 5 of 100
    assert match.score == 85


def test_one_off_offers_are_kept_when_their_date_falls_in_the_period(tafel, make_offer, coesfeld):
    day = TODAY + dt.timedelta(days=10)
    make_offer(tafel, title="Fest", schedule="one_off", starts_on=day.isoformat())
    make_offer(
        tafel,
        title="Später",
        schedule="one_off",
        starts_on=(day + dt.timedelta(days=30)).isoformat(),
    )
    make_offer(tafel, title="Regelmäßig")

    found = match_opportunities(
        SearchQuery(
            place="48653", date_from=day - dt.timedelta(days=1), date_to=day + dt.timedelta(days=1)
        ),
        tenant=coesfeld,
    )

    assert sorted(titles(found)) == ["Fest", "Regelmäßig"]


def test_local_search_sees_only_the_own_municipality(
    tafel, make_offer, coesfeld, duelmen, make_organisation
):
    make_offer(tafel, title="Coesfeld")
    heimat = make_organisation(duelmen, "Heimatverein Dülmen")
    make_offer(heimat, title="Dülmen kreisweit", plz="48249", reach="kreis")

    found = match_opportunities(SearchQuery(place="48653", radius_km=50), tenant=coesfeld)

    assert titles(found) == ["Coesfeld"]


def test_statewide_search_adds_offers_whose_reach_covers_the_searcher(
    tafel, make_offer, coesfeld, duelmen, muenster, make_organisation
):
    make_offer(tafel, title="Coesfeld")
    heimat = make_organisation(duelmen, "Heimatverein Dülmen")
    make_offer(heimat, title="Dülmen lokal", plz="48249")
    make_offer(heimat, title="Dülmen kreisweit", plz="48249", reach="kreis")
    netz = make_organisation(muenster, "Landesnetzwerk")
    make_offer(netz, title="Münster kreisweit", plz="48143", reach="kreis")
    make_offer(netz, title="Münster landesweit", plz="48143", reach="land")

    found = match_opportunities(
        SearchQuery(place="48653", radius_km=50, statewide=True), tenant=coesfeld
    )

    assert titles(found) == ["Coesfeld", "Dülmen kreisweit", "Münster landesweit"]
    assert [m.tenant.slug for m in found] == ["coesfeld", "duelmen", "muenster"]
    assert reasons(found[1])[-1] == "Open to everyone in the Kreis"
    assert reasons(found[2])[-1] == "Open to everyone in the Land"


def test_statewide_search_still_applies_the_radius(
    tafel, coesfeld, muenster, make_organisation, make_offer
):
    netz = make_organisation(muenster, "Landesnetzwerk")
    make_offer(netz, title="Münster landesweit", plz="48143", reach="land")

    assert (
        match_opportunities(
            SearchQuery(place="48653", radius_km=25, statewide=True), tenant=coesfeld
        )
        == []
    )


def test_unknown_postcode_is_refused_naming_the_field(coesfeld):
    with pytest.raises(ValidationError) as error:
        match_opportunities(SearchQuery(place="00000"), tenant=coesfeld)

    assert (error.value.field, error.value.message) == (
        "plz",
        "'00000' is not a known German postcode or place",
    )


def test_limit_outside_1_to_100_is_refused(coesfeld):
    with pytest.raises(ValidationError) as error:
        match_opportunities(SearchQuery(), 101, tenant=coesfeld)

    assert (error.value.field, error.value.message) == ("limit", "must be between 1 and 100")


def test_limit_cuts_the_ranked_list(tafel, make_offer, coesfeld):
    for plz in ("48653", "48301", "48249"):
        make_offer(tafel, title=plz, plz=plz)

    assert titles(match_opportunities(SearchQuery(place="48653"), 2, tenant=coesfeld)) == [
        "48653",
        "48301",
    ]
