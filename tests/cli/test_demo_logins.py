"""The demo tells the truth: every login it lists works, every role is there, the
invoices are finalised and the organisations have members."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from core.db import session
from core.tenancy import cross_tenant
from core.testing import submit
from plugins.billing.models import Invoice, InvoiceStatus
from plugins.engagement.demo_content import ORGANISATIONS
from plugins.engagement.models import Membership, Organisation

LINE = re.compile(
    r"^(?P<role>[A-Za-z ]+): (?P<email>\S+@\S+) / (?P<password>\S+) \(log in at (?P<url>/\S*login)\)$"
)


def test_demo_lists_every_login_and_every_login_works(runner, app):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # 22 logins from one address
    assert runner.invoke("demo").exit_code == 0
    lines = (Path(app.instance_path) / "demo-credentials.txt").read_text().splitlines()
    logins = [LINE.match(line) for line in lines]
    assert None not in logins, lines
    roles = [login["role"] for login in logins]
    assert roles[:3] == ["operator", "tenant admin", "Kreis admin"]
    assert roles.count("organisation member") == len(ORGANISATIONS) == 16
    assert roles.count("volunteer") == 3
    for login in logins:
        client = app.test_client()
        response = submit(
            client, login["url"], {"email": login["email"], "password": login["password"]}
        )
        assert response.status_code == 302, login.group(0)
    operator = logins[0]
    client = app.test_client()
    landed = submit(
        client, "/login", {"email": operator["email"], "password": operator["password"]}
    )
    assert landed.headers["Location"] == "/operator/"


def test_demo_has_finalised_invoices_and_organisation_members(runner, app):
    assert runner.invoke("demo").exit_code == 0
    final = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.status == InvoiceStatus.FINAL)
    )
    assert final > 0
    with cross_tenant("test counts organisations without members"):
        lonely = session.scalar(
            select(func.count(Organisation.id)).where(
                ~select(Membership.id).where(Membership.organisation_id == Organisation.id).exists()
            )
        )
    assert lonely == 0
