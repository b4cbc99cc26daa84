"""The cost chart's year switch in a real browser: keyboard users reach the other years."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def tenant_admin_login(app, runner):
    """The demo's tenant admin (Stadt Coesfeld, invoices of 2024 and 2026)."""
    assert runner.invoke("demo").exit_code == 0
    lines = (Path(app.instance_path) / "demo-credentials.txt").read_text().splitlines()
    line = next(line for line in lines if line.startswith("tenant admin: "))
    email, password, url = re.match(
        r"tenant admin: (\S+) / (\S+) \(log in at (\S+)\)", line
    ).groups()
    return email, password, url


def test_the_year_switch_is_reached_and_used_with_the_keyboard(app, runner, browser, live_server):
    email, password, login_url = tenant_admin_login(app, runner)
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(live_server + login_url)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main button[type=submit]").click()
    page.goto(live_server + "/coesfeld/billing/")
    assert page.locator("#costs-heading").inner_text() == "Kosten je Monat 2026"
    assert page.locator(".year-switch li").all_inner_texts() == ["2026", "2024"]

    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
        if focused[-1] == "2024":
            break
    assert focused[-1] == "2024", focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/coesfeld/billing/?year=2024")

    assert page.locator("#costs-heading").inner_text() == "Kosten je Monat 2024"
    assert page.locator(".year-switch [aria-current=page]").inner_text() == "2024"
    labels = page.locator("svg.billing-chart text").all_text_contents()
    context.close()
    assert labels == [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."
    ]  # fmt: skip
