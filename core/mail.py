"""Outgoing mail through an outbox table.

``queue_mail`` stores a message in the same transaction as the change it reports, so
a mail server outage loses nothing; ``send_pending`` (``rathaus mail send``, run by
cron) delivers what is due over SMTP. A message is marked sent in its own commit right
after the server accepted it, so a re-run never sends it twice. Before sending, a
sender claims the message with one ``UPDATE`` that succeeds only while nobody else
holds it (``claimed_until``, a lease that a crashed sender's claim runs out of), so
two senders at once — on SQLite too — never send the same message twice; PostgreSQL
additionally skips rows another sender has locked (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import Select, or_, select, update

from core.accounts import normalise_email
from core.db import get_db, session, utcnow
from core.errors import ValidationError
from core.models import OutboxMessage, OutboxStatus, Tenant
from core.tenancy import cross_tenant, platform_context, tenant_context

log = logging.getLogger(__name__)


def queue_mail(
    to: str,
    subject: str,
    body_text: str,
    *,
    category: str,
    tenant: Tenant | None = None,
    body_html: str | None = None,
    dedup_key: str | None = None,
    send_after: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Store a mail for sending; returns None when ``dedup_key`` was queued before.

    :param category: what kind of mail this is (``engagement.request``), for filtering.
    :param dedup_key: a key unique to this notification (include the tenant), so that
        a job that runs twice queues it once.
    """
    to = normalise_email(to)
    if not subject.strip():
        raise ValidationError("must not be empty", field="subject", code="mail.subject.required")
    scope = tenant_context(tenant) if tenant else platform_context()
    with scope:
        if dedup_key is not None:
            with cross_tenant("dedup keys are unique across the whole outbox"):
                exists = session.scalar(
                    select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
                )
            if exists is not None:
                return None
        message = OutboxMessage(
            tenant_id=tenant.id if tenant else None,
            category=category,
            dedup_key=dedup_key,
            to_address=to,
            subject=subject.strip(),
            body_text=body_text,
            body_html=body_html,
            send_after=send_after,
        )
        session.add(message)
        session.flush()
    return message


@dataclass
class SendReport:
    """What one run of :func:`send_pending` did."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "deferred": self.deferred}


def send_pending(*, category_prefix: str | None = None, limit: int = 500) -> SendReport:
    """Send due messages over SMTP, oldest first; failures are retried on the next run.

    Each message is claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent and
    marked sent in a transaction of its own, so a crash or a second sender running at
    the same time never sends a message twice. A message the server rejects
    ``MAIL_MAX_ATTEMPTS`` times is marked failed; an unreachable server costs no
    attempts (an outage must not use up the retries). Without ``MAIL_SERVER`` nothing
    is sent and every due message counts as deferred.
    """
    report = SendReport()
    with cross_tenant("the mail sender delivers every tenant's outbox"):
        if not current_app.config.get("MAIL_SERVER"):
            report.deferred = len(session.scalars(_due(category_prefix, 0).limit(limit)).all())
            return report
        try:
            smtp = _connect()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail server unreachable, nothing sent: %s", exc)
            report.deferred = len(session.scalars(_due(category_prefix, 0).limit(limit)).all())
            return report
        try:
            last_id = 0
            for _ in range(limit):
                message = session.scalar(_due(category_prefix, last_id, lock=True).limit(1))
                if message is None:
                    break
                last_id = message.id
                if not _claim(message):
                    continue  # another sender has it
                _send_one(smtp, message, report)
                message.claimed_until = None
                session.commit()
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return report


#: How long a claim holds: a sender that crashed mid-send leaves the message to the
#: next run after this (longer than any SMTP timeout).
CLAIM_LEASE = dt.timedelta(minutes=10)


def _claim(message: OutboxMessage) -> bool:
    """Claim ``message`` for this sender in one statement; False when another has it.

    The read transaction is ended first: on SQLite a write in a transaction that read
    before another process's commit fails instead of waiting.
    """
    message_id = message.id
    session.commit()
    now = utcnow()
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:
        return False
    session.refresh(message)  # what another sender may have changed meanwhile
    return True


def _send_one(smtp: smtplib.SMTP, message: OutboxMessage, report: SendReport) -> None:
    message.attempts += 1
    to = ascii_address(message.to_address)
    if to is None:
        # Retrying cannot help: fail once, saying why.
        message.status = OutboxStatus.FAILED
        message.last_error = NON_ASCII_MAILBOX
        report.failed += 1
        return
    try:
        smtp.send_message(_build(message, to))
    except (OSError, smtplib.SMTPException) as exc:
        _note_failure(message, str(exc), report)
        return
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    report.sent += 1


NON_ASCII_MAILBOX = (
    "the mailbox name before the @ is not ASCII; mail servers without SMTPUTF8 cannot "
    "deliver to it, so the message was not sent (ask for another address)"
)


def ascii_address(address: str) -> str | None:
    """``address`` with its domain in IDNA (``müller.de`` -> ``xn--mller-kva.de``), or
    None when the mailbox name itself is not ASCII (that needs SMTPUTF8)."""
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        return None
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return None


def _due(category_prefix: str | None, after_id: int, *, lock: bool = False) -> Select:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .where(OutboxMessage.id > after_id)
        .where(or_(OutboxMessage.send_after.is_(None), OutboxMessage.send_after <= utcnow()))
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < utcnow()))
        .order_by(OutboxMessage.id)
    )
    if category_prefix:
        stmt = stmt.where(OutboxMessage.category.startswith(category_prefix))
    if lock and get_db().dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


def _note_failure(message: OutboxMessage, error: str, report: SendReport) -> None:
    message.last_error = error[:2000]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        report.deferred += 1


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _build(message: OutboxMessage, to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = to
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def outbox(tenant: Tenant | None = None, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    """Messages of a tenant (or of the platform), newest first."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    with tenant_context(tenant) if tenant else platform_context():
        return list(session.scalars(stmt))
