"""Administration pages of the tenants and billing plugins in a real browser: WCAG 2.1 AA."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.models import Role
from core.testing import TEST_PASSWORD
from tests.browser import accessibility_violations

pytestmark = pytest.mark.e2e

ADMIN_PAGES = [
    "/coesfeld/admin/",
    "/coesfeld/admin/settings",
    "/coesfeld/admin/services",
    "/coesfeld/admin/audit",
    "/coesfeld/billing/",
    "/coesfeld/account",
]


@pytest.fixture
def admin_site(live_server, tenant, subscribe):
    subscribe(tenant, "engagement")
    accounts.create_user(
        "admin@coesfeld.de", "Anna Admin", TEST_PASSWORD, [Role.TENANT_ADMIN], tenant
    )
    session.commit()
    return live_server


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_admin_pages_meet_wcag_21_aa(admin_site, browser, locale):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(admin_site + "/coesfeld/login")
    page.locator("#email").fill("admin@coesfeld.de")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()
    problems = {}
    for path in ADMIN_PAGES:
        response = page.goto(admin_site + path)
        assert response.status == 200, path
        found = accessibility_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}


def test_settings_form_errors_are_accessible(admin_site, browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(admin_site + "/coesfeld/login")
    page.locator("#email").fill("admin@coesfeld.de")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(admin_site + "/coesfeld/admin/settings")
    page.locator("#leitweg_id").fill("05558012-99")
    page.locator("main form button[type=submit]").first.click()
    assert page.get_by_role("alert").count() == 1
    assert accessibility_violations(page) == []
    context.close()
