"""Notifications through core's outbox, delivered to a real local SMTP server."""

from __future__ import annotations

import pytest

from core.db import session
from core.mail import outbox
from core.models import OutboxStatus
from plugins.engagement import contacts
from tests.engagement.conftest import free_port


@pytest.fixture
def request_made(coesfeld, make_organisation, make_offer, make_volunteer):
    offer = make_offer(make_organisation(coesfeld))
    user = make_volunteer(coesfeld, "vera@example.org", "Vera Voss")
    request = contacts.request_contact(coesfeld, offer.id, user, "Hallo")
    session.commit()
    return request


def test_send_notifications_delivers_queued_mail_once(request_made, runner, smtp_sink, coesfeld):
    first = runner.invoke("engagement", "send-notifications", "--json")
    second = runner.invoke("engagement", "send-notifications", "--json")

    assert (first.exit_code, first.stdout) == (
        0,
        '{\n  "sent": 1,\n  "failed": 0,\n  "deferred": 0\n}\n',
    )
    assert second.stdout == '{\n  "sent": 0,\n  "failed": 0,\n  "deferred": 0\n}\n'
    (message,) = smtp_sink.messages
    assert message["To"] == "kontakt@tafel.example.org"
    assert message["Subject"] == "Neue Kennenlern-Anfrage für „Lebensmittel sortieren“"


def test_a_mail_server_outage_loses_nothing(request_made, runner, app, coesfeld, smtp_sink):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    down = runner.invoke("engagement", "send-notifications", "--json")
    app.config.update(MAIL_PORT=smtp_sink.port)
    up = runner.invoke("engagement", "send-notifications", "--json")

    assert '"deferred": 1' in down.stdout
    assert '"sent": 1' in up.stdout
    assert len(smtp_sink.messages) == 1
    assert [m.status for m in outbox(coesfeld)] == [OutboxStatus.SENT]


def test_acceptance_mails_the_volunteer_at_their_home_municipality(
    request_made, runner, smtp_sink, coesfeld
):
    contacts.decide_request(request_made, True)
    session.commit()

    runner.invoke("engagement", "send-notifications")

    subjects = {m["To"]: m["Subject"] for m in smtp_sink.messages}
    assert (
        subjects["vera@example.org"] == "Ihre Anfrage für „Lebensmittel sortieren“ wurde angenommen"
    )


def test_only_engagement_mail_is_sent_by_the_engagement_command(
    request_made, runner, smtp_sink, coesfeld
):
    from core.mail import queue_mail

    queue_mail("someone@example.org", "Other", "Body", category="billing.invoice", tenant=coesfeld)
    session.commit()

    runner.invoke("engagement", "send-notifications")

    assert [m["To"] for m in smtp_sink.messages] == ["kontakt@tafel.example.org"]
