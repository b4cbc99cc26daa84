"""Two senders at once never send a message twice (SQLite included)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller

from core import mail
from core.db import session, utcnow
from core.mail import queue_mail, send_pending
from core.models import OutboxMessage, OutboxStatus
from core.tenancy import platform_context
from tests.core.test_mail import Collector, free_port


class SlowCollector(Collector):
    """Takes a moment per mail, so that two senders overlap."""

    async def handle_DATA(self, server, smtp_session, envelope):  # noqa: N802
        time.sleep(0.05)
        return await super().handle_DATA(server, smtp_session, envelope)


@pytest.fixture
def slow_smtp(app):
    handler = SlowCollector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler, controller.port
    controller.stop()


def test_a_message_claimed_by_another_sender_is_left_alone(app, slow_smtp):
    message = queue_mail("a@example.org", "Hallo", "Text", category="test")
    with platform_context():
        message.claimed_until = utcnow() + dt.timedelta(minutes=5)
    session.commit()

    assert send_pending().as_dict() == {"sent": 0, "failed": 0, "deferred": 0}
    assert slow_smtp[0].messages == []


def test_a_claim_succeeds_once(app):
    message = queue_mail("a@example.org", "Hallo", "Text", category="test")
    session.commit()
    with platform_context():
        assert [mail._claim(message), mail._claim(message)] == [True, False]


def test_an_expired_claim_of_a_crashed_sender_is_taken_over(app, slow_smtp):
    message = queue_mail("a@example.org", "Hallo", "Text", category="test")
    with platform_context():
        message.claimed_until = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert send_pending().sent == 1


def test_two_mail_send_commands_at_once_send_every_mail_once(app, slow_smtp, tmp_path):
    handler, port = slow_smtp
    for i in range(30):
        queue_mail(f"person{i}@example.org", f"Nachricht {i}", "Text", category="test")
    session.commit()
    env = {
        **os.environ,
        "RATHAUS_DATABASE_URL": app.config["DATABASE_URL"],
        "RATHAUS_SECRET_KEY": "test-secret",
        "RATHAUS_INSTANCE_PATH": str(tmp_path / "instance"),
        "RATHAUS_PLUGINS": ",".join(app.config["PLUGINS"] or []),
        "RATHAUS_MAIL_SERVER": "127.0.0.1",
        "RATHAUS_MAIL_PORT": str(port),
    }
    command = [sys.executable, "-c", "from cli.main import main; main()", "mail", "send", "--json"]
    senders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE) for _ in range(2)]
    for sender in senders:
        sender.wait(timeout=120)

    recipients = sorted(rcpt for _, rcpts, _ in handler.messages for rcpt in rcpts)
    assert recipients == sorted(f"person{i}@example.org" for i in range(30))
    session.expire_all()
    with platform_context():
        statuses = {m.status for m in session.query(OutboxMessage)}
    assert statuses == {OutboxStatus.SENT}
