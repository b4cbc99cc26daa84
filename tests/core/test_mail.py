"""The outbox against a real SMTP server (aiosmtpd on a local port)."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from core.db import session
from core.mail import outbox, queue_mail, send_pending
from core.models import OutboxStatus


class Collector:
    """An SMTP handler keeping every message; can refuse recipients on demand."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, smtp_session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, smtp_session, envelope):  # noqa: N802
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8"))
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_FROM="Rathaus <no-reply@rathaus.test>",
    )
    yield handler
    controller.stop()


def test_queued_mail_is_sent_once(app, smtp, tenant):
    queue_mail("a@example.org", "Willkommen", "Hallo A", category="test.welcome", tenant=tenant)
    queue_mail("b@example.org", "Erinnerung", "Hallo B", category="test.reminder")
    session.commit()
    assert send_pending().as_dict() == {"sent": 2, "failed": 0, "deferred": 0}
    assert [(m[0], m[1]) for m in smtp.messages] == [
        ("no-reply@rathaus.test", ["a@example.org"]),
        ("no-reply@rathaus.test", ["b@example.org"]),
    ]
    assert "Subject: Willkommen" in smtp.messages[0][2] and "Hallo A" in smtp.messages[0][2]
    # A second run sends nothing again.
    assert send_pending().as_dict() == {"sent": 0, "failed": 0, "deferred": 0}
    assert len(smtp.messages) == 2


def test_dedup_key_queues_a_notification_once(app, tenant):
    first = queue_mail("a@example.org", "S", "B", category="test", tenant=tenant, dedup_key="t1:n1")
    second = queue_mail(
        "a@example.org", "S", "B", category="test", tenant=tenant, dedup_key="t1:n1"
    )
    assert first is not None and second is None
    assert len(outbox(tenant)) == 1


def test_mail_server_outage_loses_nothing_and_costs_no_attempts(app, tenant):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    queue_mail("a@example.org", "S", "B", category="test", tenant=tenant)
    session.commit()
    for _ in range(7):
        assert send_pending().as_dict() == {"sent": 0, "failed": 0, "deferred": 1}
    (message,) = outbox(tenant)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)


def test_after_an_outage_the_mail_goes_out(app, smtp, tenant):
    real_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    queue_mail("a@example.org", "S", "B", category="test", tenant=tenant)
    session.commit()
    send_pending()
    app.config["MAIL_PORT"] = real_port
    assert send_pending().sent == 1
    assert len(smtp.messages) == 1


def test_rejected_message_is_retried_then_marked_failed(app, smtp, tenant):
    smtp.refuse.add("gone@example.org")
    queue_mail("gone@example.org", "S", "B", category="test", tenant=tenant)
    queue_mail("ok@example.org", "S", "B", category="test", tenant=tenant)
    session.commit()
    assert send_pending().as_dict() == {"sent": 1, "failed": 0, "deferred": 1}
    for _ in range(3):
        send_pending()
    assert send_pending().as_dict() == {"sent": 0, "failed": 1, "deferred": 0}
    statuses = sorted((m.to_address, m.status.value, m.attempts) for m in outbox(tenant))
    assert statuses == [("gone@example.org", "failed", 5), ("ok@example.org", "sent", 1)]
    assert "550" in [m for m in outbox(tenant) if m.to_address == "gone@example.org"][0].last_error


def test_without_mail_server_everything_waits(app, tenant):
    queue_mail("a@example.org", "S", "B", category="test", tenant=tenant)
    session.commit()
    assert send_pending().as_dict() == {"sent": 0, "failed": 0, "deferred": 1}


def test_category_filter(app, smtp, tenant):
    queue_mail("a@example.org", "S", "B", category="engagement.request", tenant=tenant)
    queue_mail("b@example.org", "S", "B", category="billing.invoice", tenant=tenant)
    session.commit()
    assert send_pending(category_prefix="engagement.").sent == 1
    assert [m[1] for m in smtp.messages] == [["a@example.org"]]


def test_mail_send_command(app, smtp, tenant, runner):
    queue_mail("a@example.org", "S", "B", category="test", tenant=tenant)
    session.commit()
    result = runner.invoke("mail", "send", "--json")
    assert (result.exit_code, result.output) == (
        0,
        '{\n  "sent": 1,\n  "failed": 0,\n  "deferred": 0\n}\n',
    )


def test_queueing_refuses_a_malformed_address(app):
    from core.errors import ValidationError

    with pytest.raises(ValidationError, match="email: 'nobody' is not an e-mail address"):
        queue_mail("nobody", "S", "B", category="test")


def test_umlaut_domains_are_sent_in_idna(app, smtp, tenant):
    queue_mail("erika@müller-bäckerei.example", "Hallo", "Text", category="test", tenant=tenant)
    session.commit()
    assert send_pending().as_dict() == {"sent": 1, "failed": 0, "deferred": 0}
    assert smtp.messages[0][1] == ["erika@xn--mller-bckerei-hfb76a.example"]


def test_a_non_ascii_mailbox_fails_once_with_a_clear_error(app, smtp, tenant):
    queue_mail("jörg@example.org", "Hallo", "Text", category="test", tenant=tenant)
    session.commit()
    assert send_pending().as_dict() == {"sent": 0, "failed": 1, "deferred": 0}
    assert send_pending().as_dict() == {"sent": 0, "failed": 0, "deferred": 0}
    (message,) = outbox(tenant)
    assert (message.status, message.attempts, smtp.messages) == (OutboxStatus.FAILED, 1, [])
    assert message.last_error.startswith("the mailbox name before the @ is not ASCII")
