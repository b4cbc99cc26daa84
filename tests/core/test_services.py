"""The service catalogue, subscriptions and the guard on a service's routes."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
import pytest
from sqlalchemy import select

from core import hookimpl
from core.db import session
from core.errors import ConflictError, NotFoundError, ValidationError
from core.models import AuditEntry, Subscription, TenantStatus
from core.services import (
    ServiceManifest,
    active_subscription,
    end_subscription,
    is_subscribed,
    subscribe,
    subscriptions_of,
)
from core.tenancy import tenant_context
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


class LimitsSchema(ma.Schema):
    max_items = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class DependentServices:
    @hookimpl
    def register_services(self):
        return [
            ServiceManifest(
                key="base_register", title="Register", description="", themenfeld="Querschnitt"
            ),
            ServiceManifest(
                key="addon",
                title="Add-on",
                description="",
                themenfeld="Querschnitt",
                requires=("base_register",),
                settings_schema=LimitsSchema,
            ),
            ServiceManifest(
                key="addon_by_path",
                title="Add-on, schema by path",
                description="",
                themenfeld="Querschnitt",
                settings_schema="tests.core.test_services:LimitsSchema",
            ),
        ]


@pytest.fixture
def rathaus_config():
    return {
        "PLUGINS": [*BUILT_IN, "probe", "dependent"],
        "PLUGIN_OBJECTS": {"probe": ProbePlugin(), "dependent": DependentServices()},
    }


def error_of(call):
    with pytest.raises((ValidationError, ConflictError, NotFoundError)) as err:
        call()
    session.rollback()
    return type(err.value).__name__, err.value.field, err.value.message


# --- manifests -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"key": "Bad Key"},
            "key",
            "'Bad Key' is not a service key (lowercase letters, digits, _; 2-64)",
        ),
        ({"title": " "}, "title", "must not be empty"),
        (
            {"key": "subscriptions"},
            "key",
            "'subscriptions' is reserved for the platform's own tenant resources",
        ),
        ({"themenfeld": "Sport"}, "themenfeld", "'Sport' is not an OZG Themenfeld"),
        ({"leika_keys": ("12345",)}, "leika_keys", "'12345' is not a 14-digit LeiKa key"),
    ],
)
def test_manifest_validation_names_the_field(changes, field, message):
    fields = {"key": "ok", "title": "Ok", "description": "", "themenfeld": "Bildung", **changes}
    with pytest.raises(ValidationError) as err:
        ServiceManifest(**fields).validate()
    assert (err.value.field, err.value.message) == (field, message)


# --- subscribing -----------------------------------------------------------------


def test_subscribe_from_today_is_active(tenant):
    sub = subscribe(tenant, "probe", contract_ref="EA-2026-17")
    assert (sub.starts_on, sub.ends_on, sub.status, sub.contract_ref) == (
        TODAY,
        None,
        "active",
        "EA-2026-17",
    )
    assert is_subscribed(tenant, "probe") is True


def test_future_start_is_scheduled(tenant):
    sub = subscribe(tenant, "probe", starts_on=TODAY + 10 * DAY)
    assert sub.status == "scheduled"
    assert is_subscribed(tenant, "probe") is False
    assert is_subscribed(tenant, "probe", on=TODAY + 10 * DAY) is True


def test_is_subscribed_through_the_last_day_and_not_after(tenant):
    subscribe(tenant, "probe")
    end_subscription(tenant, "probe", ends_on=TODAY + 9 * DAY)

    assert [is_subscribed(tenant, "probe", on=TODAY + n * DAY) for n in (-1, 0, 9, 10)] == [
        False,
        True,
        True,
        False,
    ]


def test_is_subscribed_counts_a_subscription_not_yet_flushed(tenant, db_session):
    with tenant_context(tenant):
        db_session.add(Subscription(service_key="probe", starts_on=TODAY, settings={}))

        assert is_subscribed(tenant, "probe") is True


def test_unknown_service(tenant):
    assert error_of(lambda: subscribe(tenant, "parking")) == (
        "NotFoundError",
        "service",
        "unknown service 'parking' (known: addon, addon_by_path, base_register, engagement, probe)",
    )


def test_backdated_start_is_refused(tenant):
    yesterday = TODAY - DAY
    assert error_of(lambda: subscribe(tenant, "probe", starts_on=yesterday)) == (
        "ValidationError",
        "starts_on",
        f"{yesterday.isoformat()} lies in the past; a subscription starts today or later",
    )


def test_backdating_is_possible_when_asked_for(tenant):
    sub = subscribe(tenant, "probe", starts_on=dt.date(2023, 6, 1), allow_backdated=True)
    assert sub.status_on(dt.date(2023, 6, 1)) == "active"


def test_overlapping_period_is_refused(tenant):
    subscribe(tenant, "probe")
    assert error_of(lambda: subscribe(tenant, "probe", starts_on=TODAY + 5 * DAY)) == (
        "ConflictError",
        "starts_on",
        f"overlaps the subscription from {TODAY.isoformat()} to open end; end it first or start after its last day",
    )


def test_a_new_period_may_follow_an_ended_one(tenant):
    subscribe(tenant, "probe")
    end_subscription(tenant, "probe", ends_on=TODAY + 9 * DAY)
    second = subscribe(tenant, "probe", starts_on=TODAY + 10 * DAY)
    assert [s.id for s in subscriptions_of(tenant, "probe")][-1] == second.id


def test_missing_required_service(tenant):
    assert error_of(lambda: subscribe(tenant, "addon", settings={"max_items": 3})) == (
        "ValidationError",
        "service",
        f"service 'addon' requires 'base_register', which the tenant does not subscribe to from "
        f"{TODAY.isoformat()} on; subscribe to 'base_register' first",
    )


def test_required_service_present(tenant):
    subscribe(tenant, "base_register")
    assert subscribe(tenant, "addon", settings={"max_items": 3}).settings == {"max_items": 3}


def test_settings_are_validated_with_the_services_schema(tenant):
    subscribe(tenant, "base_register")
    assert error_of(lambda: subscribe(tenant, "addon", settings={"max_items": 0})) == (
        "ValidationError",
        "settings",
        "invalid settings: {'max_items': ['Must be greater than or equal to 1.']}",
    )


def test_a_schema_given_by_path_is_imported_to_validate(tenant, app):
    manifest = app.extensions["rathaus.services"].services["addon_by_path"]
    assert manifest.as_dict()["settings_schema"] == "LimitsSchema"
    assert error_of(lambda: subscribe(tenant, "addon_by_path", settings={"max_items": 0})) == (
        "ValidationError",
        "settings",
        "invalid settings: {'max_items': ['Must be greater than or equal to 1.']}",
    )
    assert subscribe(tenant, "addon_by_path", settings={"max_items": 2}).settings == {
        "max_items": 2
    }


def test_settings_for_a_service_without_settings(tenant):
    assert error_of(lambda: subscribe(tenant, "probe", settings={"x": 1})) == (
        "ValidationError",
        "settings",
        "service 'probe' has no settings",
    )


def test_offboarded_tenant_cannot_subscribe(tenant):
    tenant.status = TenantStatus.OFFBOARDED
    assert error_of(lambda: subscribe(tenant, "probe")) == (
        "ValidationError",
        "tenant",
        "tenant 'coesfeld' is offboarded",
    )


# --- ending ------------------------------------------------------------------


def test_end_sets_the_last_day_and_reason(tenant):
    subscribe(tenant, "probe")
    sub = end_subscription(tenant, "probe", ends_on=TODAY + 30 * DAY, reason="ordinary")
    assert (sub.ends_on, sub.end_reason) == (TODAY + 30 * DAY, "ordinary")
    assert active_subscription(tenant, "probe", on=TODAY + 31 * DAY) is None


def test_end_without_subscription(tenant):
    assert error_of(lambda: end_subscription(tenant, "probe", ends_on=TODAY)) == (
        "NotFoundError",
        "service",
        f"tenant 'coesfeld' has no subscription to 'probe' running on {TODAY.isoformat()}",
    )


def test_end_before_start(tenant):
    subscribe(tenant, "probe", starts_on=TODAY + 10 * DAY)
    assert error_of(lambda: end_subscription(tenant, "probe", ends_on=TODAY + 5 * DAY)) == (
        "ValidationError",
        "ends_on",
        f"the last day {(TODAY + 5 * DAY).isoformat()} lies before the start {(TODAY + 10 * DAY).isoformat()}",
    )


def test_end_in_the_past(tenant):
    subscribe(tenant, "probe")
    assert error_of(lambda: end_subscription(tenant, "probe", ends_on=TODAY - DAY)) == (
        "ValidationError",
        "ends_on",
        f"{(TODAY - DAY).isoformat()} lies in the past",
    )


def test_unknown_end_reason(tenant):
    subscribe(tenant, "probe")
    assert error_of(lambda: end_subscription(tenant, "probe", ends_on=TODAY, reason="bored")) == (
        "ValidationError",
        "reason",
        "must be one of ordinary, special, offboarding",
    )


def test_a_required_service_cannot_end_before_its_dependant(tenant):
    subscribe(tenant, "base_register")
    subscribe(tenant, "addon", settings={"max_items": 1})
    assert error_of(lambda: end_subscription(tenant, "base_register", ends_on=TODAY + DAY)) == (
        "ValidationError",
        "service",
        f"service 'addon' requires 'base_register' beyond {(TODAY + DAY).isoformat()}; end 'addon' first",
    )


def test_subscriptions_belong_to_their_tenant(tenant, other_tenant):
    subscribe(tenant, "probe")
    assert is_subscribed(other_tenant, "probe") is False
    assert subscriptions_of(other_tenant) == []


# --- the guard ---------------------------------------------------------------


def test_service_routes_answer_404_without_subscription(client, tenant):
    assert client.get("/coesfeld/probe/").status_code == 404


def test_service_routes_answer_with_subscription(client, tenant, subscribe):
    subscribe(tenant, "probe")
    assert client.get("/coesfeld/probe/").status_code == 200


def test_service_routes_answer_404_after_the_last_day(client, tenant, subscribe):
    sub = subscribe(tenant, "probe", starts_on=dt.date(2024, 1, 1), allow_backdated=True)
    with tenant_context(tenant):
        sub.ends_on = TODAY - DAY
        session.commit()
    assert client.get("/coesfeld/probe/").status_code == 404


def test_service_routes_stop_serving_a_suspended_tenant(client, tenant, subscribe):
    subscribe(tenant, "probe")
    tenant.status = TenantStatus.SUSPENDED
    session.commit()
    response = client.get("/coesfeld/probe/")
    assert response.status_code == 503
    assert "derzeit ausgesetzt" in response.get_data(as_text=True)


def test_services_list_command_json(runner):
    result = runner.invoke("services", "list", "--json")
    assert result.exit_code == 0
    assert '"key": "probe"' in result.output and '"plugin": "probe"' in result.output


def test_subscribe_and_end_are_audited_by_core_with_the_notice_day(app, tenant):
    subscribe(tenant, "probe", contract_ref="  EA-7  ")
    sub = end_subscription(tenant, "probe", ends_on=TODAY + 9 * DAY, notice_on=TODAY)
    with tenant_context(tenant):
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target, e.details) for e in entries[-2:]] == [
        (
            "subscription.started",
            "tenant:coesfeld",
            {
                "service": "probe",
                "starts_on": TODAY.isoformat(),
                "contract_ref": "EA-7",
                "backdated": False,
            },
        ),
        (
            "subscription.ended",
            "tenant:coesfeld",
            {
                "service": "probe",
                "ends_on": (TODAY + 9 * DAY).isoformat(),
                "end_reason": "ordinary",
            },
        ),
    ]
    assert (sub.contract_ref, sub.notice_on, entries[-1].reason) == (
        "EA-7",
        TODAY,
        "ordinary termination",
    )


def test_subscribe_refuses_a_contract_reference_over_100_characters(app, tenant):
    assert error_of(lambda: subscribe(tenant, "probe", contract_ref="x" * 101)) == (
        "ValidationError",
        "contract",
        "must have at most 100 characters, not 101",
    )
