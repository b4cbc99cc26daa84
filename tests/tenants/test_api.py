"""The operator API /api/v1/tenants: operator tokens, problem+json, OpenAPI."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from core.db import session
from core.lifecycle import count_tenant_rows
from core.models import Tenant, TenantStatus
from core.testing import bearer
from tests.tenants.conftest import COESFELD_ONBOARDED, EXTRACT

API = "/api/v1/tenants"


@pytest.fixture
def op(client, operator_token):
    """Call the API as the operator: ``op("get", path, json=...)``."""

    def call(method, path, **kwargs):
        return getattr(client, method)(path, headers=bearer(operator_token), **kwargs)

    return call


def test_onboard_answers_201_with_the_tenant(op):
    response = op(
        "post",
        API,
        json={"ags": "05558012", "leitweg_id": "05558012-71", "email": "info@coesfeld.example"},
    )

    assert (response.status_code, response.json) == (201, COESFELD_ONBOARDED)


def test_onboard_errors_are_problem_json_naming_the_field(op):
    response = op("post", API, json={"ags": "05558012", "leitweg_id": "05558012-72"})

    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    assert response.json["errors"] == {
        "json": {"leitweg_id": ["'05558012-72' has a wrong check digit (ISO 7064 MOD 97-10)"]}
    }
    assert session.scalar(select(Tenant)) is None


def test_onboard_of_a_duplicate_answers_409(op, tenant):
    response = op("post", API, json={"ags": "05558012", "slug": "other"})

    assert (response.status_code, response.json["detail"]) == (
        409,
        "ags: AGS 05558012 (Coesfeld, Stadt) is already a tenant",
    )


def test_onboard_refuses_unknown_fields(op):
    response = op("post", API, json={"ags": "05558012", "colour": "#000000"})

    assert (response.status_code, response.json["errors"]) == (
        422,
        {"json": {"colour": ["Unknown field."]}},
    )


def test_list_is_paginated_and_filtered(op, runner):
    runner.invoke("tenants", "import", str(EXTRACT))

    response = op("get", f"{API}?kind=gemeinde&page=2&page_size=5")

    assert [t["ags"] for t in response.json] == [
        "05558024",
        "05558028",
        "05558032",
        "05558036",
        "05558040",
    ]
    assert json.loads(response.headers["X-Pagination"])["total"] == 12


def test_list_searches_name_ags_and_postcode(op, runner):
    runner.invoke("tenants", "import", str(EXTRACT))

    def slugs(query):
        return [t["slug"] for t in op("get", f"{API}?q={query}").json]

    assert (slugs("dülmen"), slugs("05515"), slugs("48727")) == (
        ["duelmen"],
        ["muenster"],
        ["billerbeck"],
    )


def test_list_refuses_an_unknown_status(op):
    response = op("get", f"{API}?status=sleeping")

    assert (response.status_code, response.json["errors"]) == (
        422,
        {"query": {"status": ["Must be one of: requested, active, suspended, offboarded."]}},
    )


def test_show_by_slug_or_ags(op, tenant):
    assert op("get", f"{API}/coesfeld").json["contact_email"] == "info@coesfeld.invalid"
    assert op("get", f"{API}/05558012").json["slug"] == "coesfeld"


def test_show_of_an_unknown_tenant_is_404(op):
    response = op("get", f"{API}/atlantis")

    assert (response.status_code, response.json["detail"]) == (
        404,
        "tenant: no tenant with slug 'atlantis'",
    )


def test_update_changes_master_data(op, tenant):
    response = op(
        "patch",
        f"{API}/coesfeld",
        json={"leitweg_id": "05558012-71", "brand_colour": "#004B87", "reason": "Stammdaten 2024"},
    )

    assert (response.status_code, response.json["leitweg_id"], response.json["brand_colour"]) == (
        200,
        "05558012-71",
        "#004b87",
    )


def test_update_reports_every_bad_field(op, tenant):
    response = op(
        "patch",
        f"{API}/coesfeld",
        json={"leitweg_id": "x", "brand_colour": "#ffffff", "address_postcode": "1"},
    )

    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "leitweg_id": [
            "'x' is not a Leitweg-ID: expected 2-12 digits, an optional part of up to 30 letters "
            "or "
            "digits, and two check digits, separated by hyphens (e.g. 04011000-1234512345-06)"
        ],
        "brand_colour": [
            "#ffffff is too light: white text on it has a contrast of 1.0:1, WCAG 2.1 AA needs "
            "at least 4.5:1"
        ],
        "address_postcode": ["'1' is not a postcode of 5 digits"],
    }


def test_update_refuses_delegation_for_a_tenant_without_kreis(op, tenant):
    response = op("patch", f"{API}/coesfeld", json={"parent_may_administer": True})

    assert response.json["errors"]["json"] == {
        "parent_may_administer": [
            "only a Gemeinde under a registered Kreis can let the Kreis administer it"
        ]
    }


def test_lifecycle_transitions(op, make_tenant):
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", status=TenantStatus.REQUESTED)

    activated = op("post", f"{API}/coesfeld/lifecycle", json={"action": "activate"})
    refused = op("post", f"{API}/coesfeld/lifecycle", json={"action": "resume"})
    unreasoned = op("post", f"{API}/coesfeld/lifecycle", json={"action": "suspend"})

    assert (activated.status_code, activated.json["status"]) == (200, "active")
    assert (refused.status_code, refused.json["detail"]) == (
        409,
        "status: tenant 'coesfeld' is active; resume applies only to suspended tenants",
    )
    assert (unreasoned.status_code, unreasoned.json["errors"]) == (
        422,
        {"json": {"reason": ["must not be empty: say why the tenant is to suspend"]}},
    )


def test_lifecycle_offers_no_offboarding(op, tenant):
    response = op("post", f"{API}/coesfeld/lifecycle", json={"action": "offboard", "reason": "x"})

    assert response.json["errors"] == {
        "json": {"action": ["Must be one of: activate, suspend, resume."]}
    }


def test_subscriptions_subscribe_list_and_end(op, tenant):
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    created = op(
        "post",
        f"{API}/coesfeld/subscriptions",
        json={"service": "tk_register", "contract_ref": "EA-7"},
    )
    ended = op(
        "post",
        f"{API}/coesfeld/subscriptions/tk_register/end",
        json={"ends_on": later, "reason": "special"},
    )
    listed = op("get", f"{API}/coesfeld/subscriptions")

    assert (created.status_code, created.json["contract_ref"]) == (201, "EA-7")
    assert (ended.status_code, ended.json["ends_on"], ended.json["end_reason"]) == (
        200,
        later,
        "special",
    )
    assert [(s["service"], s["status"]) for s in listed.json] == [("tk_register", "active")]


def test_subscribe_errors_name_the_field(op, tenant):
    response = op("post", f"{API}/coesfeld/subscriptions", json={"service": "tk_permits"})

    assert (response.status_code, list(response.json["errors"]["json"])) == (422, ["service"])


def test_audit_lists_the_tenants_log(op, tenant):
    op("post", f"{API}/coesfeld/lifecycle", json={"action": "suspend", "reason": "Wartung"})

    entries = op("get", f"{API}/coesfeld/audit").json

    assert [(e["action"], e["reason"], e["actor"].startswith("token:")) for e in entries] == [
        ("tenant.suspended", "Wartung", True),
    ]


def test_invitations_return_the_link_once(op, tenant):
    response = op(
        "post", f"{API}/coesfeld/invitations", json={"email": "it@coesfeld.example", "days": 2}
    )

    assert (
        response.status_code,
        response.json["link"].startswith("http://localhost/admin/invitation/"),
    ) == (201, True)


def test_offboarding_stores_the_export_then_deletes(op, tenant, app, tmp_path, subscribe):
    app.config["TENANTS_EXPORT_DIR"] = str(tmp_path / "exports")
    subscribe(tenant, "tk_register")

    response = op(
        "post", f"{API}/coesfeld/offboarding", json={"reason": "Kündigung", "confirm": "coesfeld"}
    )

    assert response.status_code == 200
    export = response.json["export"]
    stored = tmp_path / "exports" / export["file"]
    assert (stored.stat().st_size, export["download"], response.json["ended_subscriptions"]) == (
        export["bytes"],
        "/api/v1/tenants/coesfeld/export",
        ["tk_register"],
    )
    assert set(count_tenant_rows(tenant).values()) == {0}
    downloaded = op("get", export["download"])
    assert (downloaded.status_code, downloaded.data) == (200, stored.read_bytes())


def test_offboarding_needs_the_slug_as_confirmation(op, tenant):
    response = op(
        "post", f"{API}/coesfeld/offboarding", json={"reason": "Kündigung", "confirm": "yes"}
    )

    assert (response.status_code, response.json["errors"]) == (
        422,
        {"json": {"confirm": ["must be the tenant's slug 'coesfeld'"]}},
    )
    session.expire_all()
    assert tenant.status == TenantStatus.ACTIVE


def test_export_of_an_active_tenant_is_404(op, tenant):
    response = op("get", f"{API}/coesfeld/export")

    assert (response.status_code, response.json["detail"]) == (
        404,
        "tenant: tenant 'coesfeld' is active; only offboarded tenants have a stored export",
    )


def test_import_of_an_uploaded_file(op):
    response = op(
        "post",
        f"{API}/import?kreis=05558",
        data={"file": (io.BytesIO(EXTRACT.read_bytes()), "gv.txt")},
        content_type="multipart/form-data",
    )

    assert (response.status_code, response.json["created"], response.json["file"]) == (
        200,
        12,
        "gv.txt",
    )


def test_import_with_bad_lines_answers_422_listing_them(op):
    body = b"ags\n05558012\n0555801\n"

    response = op(
        "post",
        f"{API}/import",
        data={"file": (io.BytesIO(body), "t.csv")},
        content_type="multipart/form-data",
    )

    assert (response.status_code, response.json["errors"]) == (
        422,
        {
            "file": [
                "line 3: ags: AGS '0555801' has 7 digits; it must have 2 (Land), 5 (Kreis) or 8 "
                "(Gemeinde) "
                "(a spreadsheet may have dropped the leading zero; store the column as text)"
            ]
        },
    )
    assert session.scalar(select(Tenant)) is None


# ---------------------------------------------------------------------------------
# Who may call
# ---------------------------------------------------------------------------------

OPERATOR_ONLY = [
    ("get", API, None),
    ("post", API, {"ags": "05558020"}),
    ("patch", f"{API}/coesfeld", {"display_name": "x"}),
    ("post", f"{API}/coesfeld/lifecycle", {"action": "suspend", "reason": "x"}),
    ("post", f"{API}/coesfeld/subscriptions", {"service": "tk_register"}),
    ("post", f"{API}/coesfeld/subscriptions/tk_register/end", {"ends_on": "2099-01-01"}),
    ("post", f"{API}/coesfeld/invitations", {"email": "x@example.org"}),
    ("post", f"{API}/coesfeld/offboarding", {"reason": "x", "confirm": "coesfeld"}),
    ("get", f"{API}/coesfeld/export", None),
]


@pytest.mark.parametrize(("method", "path", "body"), OPERATOR_ONLY)
def test_tenant_tokens_get_403_on_operator_endpoints(
    client, tenant, tenant_token, method, path, body
):
    response = getattr(client, method)(path, json=body, headers=bearer(tenant_token))

    assert (response.status_code, response.mimetype) == (403, "application/problem+json")
    session.expire_all()
    assert (tenant.status, tenant.display_name) == (TenantStatus.ACTIVE, None)


@pytest.mark.parametrize(
    ("method", "path", "body"), OPERATOR_ONLY + [("get", f"{API}/coesfeld", None)]
)
def test_anonymous_callers_get_401(client, tenant, method, path, body):
    response = getattr(client, method)(path, json=body)

    assert (response.status_code, response.headers["WWW-Authenticate"]) == (401, "Bearer")


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/coesfeld",
        f"{API}/05558012",
        f"{API}/coesfeld/subscriptions",
        f"{API}/coesfeld/audit",
    ],
)
def test_a_tenant_token_reads_its_own_tenant(client, tenant_token, path):
    assert client.get(path, headers=bearer(tenant_token)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/duelmen",
        f"{API}/05558016",
        f"{API}/duelmen/subscriptions",
        f"{API}/duelmen/audit",
        f"{API}/atlantis",
    ],
)
def test_a_tenant_token_cannot_read_another_tenant(client, tenant_token, other_tenant, path):
    assert client.get(path, headers=bearer(tenant_token)).status_code == 403


# ---------------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------------


def test_hook_register_api_documents_the_tenant_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json

    assert {
        "/api/v1/tenants",
        "/api/v1/tenants/{key}",
        "/api/v1/tenants/{key}/lifecycle",
        "/api/v1/tenants/{key}/subscriptions",
        "/api/v1/tenants/{key}/subscriptions/{service}/end",
        "/api/v1/tenants/{key}/audit",
        "/api/v1/tenants/{key}/invitations",
        "/api/v1/tenants/{key}/offboarding",
        "/api/v1/tenants/{key}/export",
        "/api/v1/tenants/import",
    } <= set(spec["paths"])
    schemas = {name for name in spec["components"]["schemas"] if name.startswith("Tenants")}
    assert {
        "TenantsTenant",
        "TenantsTenantDetail",
        "TenantsOnboard",
        "TenantsUpdate",
        "TenantsSubscription",
    } <= schemas


def test_the_api_reference_page_lists_the_tenant_endpoints(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)

    assert "/api/v1/tenants/{key}/offboarding" in page
    assert (
        "Offboard: store the complete export on the server, then delete the tenant&#39;s data."
        in page
    )
