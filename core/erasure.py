"""Erasure (DSGVO Art. 17) of what core itself holds about a person.

Plugins erase their own rows in ``erase_personal_data``; afterwards core goes over its
records that mention the person although they are not the person's own rows: audit
entries (from before actors were pseudonymous, and details such as an invited e-mail
address or a personal token's name) and the mail outbox (mails to the person, and
mails to others that name the person). Where the record must stay — an audit entry,
an outbox row whose dedup key stops a job from sending again — the person's values
are replaced by :data:`ERASED`; what is only the person's is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from core.db import session
from core.models import ApiToken, AuditEntry, OutboxMessage, OutboxStatus, User
from core.tenancy import cross_tenant

ERASED = "[gelöscht]"
#: Name parts shorter than this are not scrubbed on their own (they would hit words).
MIN_NAME_PART = 3


def personal_values(user: User) -> list[str]:
    """The strings that identify the person: e-mail address, full name, name parts."""
    values = {user.email, user.display_name.strip()}
    values.update(
        part for part in re.split(r"\W+", user.display_name) if len(part) >= MIN_NAME_PART
    )
    return sorted((v for v in values if v), key=len, reverse=True)


def scrub_text(text: str | None, values: Iterable[str]) -> str | None:
    """``text`` with every value (case-insensitive, whole words) replaced by ERASED."""
    if not text:
        return text
    for value in values:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_json(data: Any, values: list[str]) -> Any:
    if isinstance(data, str):
        return scrub_text(data, values)
    if isinstance(data, dict):
        return {key: _scrub_json(item, values) for key, item in data.items()}
    if isinstance(data, list):
        return [_scrub_json(item, values) for item in data]
    return data


def erase_core_records(user: User) -> None:
    """Scrub the audit log and the outbox of ``user``'s data (before the account goes)."""
    values = personal_values(user)
    with cross_tenant("erasure scrubs a person's data from every tenant's records"):
        tokens = {
            f"token:{token_id}"
            for token_id in session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id))
        }
        _scrub_audit(values, tokens)
        _scrub_outbox(user.email, values)
        session.flush()


def _scrub_audit(values: list[str], tokens: set[str]) -> None:
    for entry in session.scalars(select(AuditEntry).execution_options(yield_per=500)):
        if entry.target in tokens and entry.details:
            # A personal token's name is the person's words.
            entry.details = {key: item for key, item in entry.details.items() if key != "name"}
        actor = scrub_text(entry.actor, values)
        target = scrub_text(entry.target, values)
        reason = scrub_text(entry.reason, values)
        details = _scrub_json(entry.details, values)
        if (actor, target, reason, details) != (
            entry.actor,
            entry.target,
            entry.reason,
            entry.details,
        ):
            entry.actor, entry.target, entry.reason, entry.details = actor, target, reason, details


def _scrub_outbox(email: str, values: list[str]) -> None:
    for message in session.scalars(select(OutboxMessage).execution_options(yield_per=500)):
        if message.to_address == email:
            # Mail to the person: nothing of it stays; the row stays for its dedup key.
            message.to_address = f"erased-{message.id}@invalid"
            message.subject = ERASED
            message.body_text = ERASED
            message.body_html = None
            if message.status == OutboxStatus.PENDING:
                message.status = OutboxStatus.FAILED
                message.last_error = "the recipient's account was erased"
            continue
        subject = scrub_text(message.subject, values) or ERASED
        body_text = scrub_text(message.body_text, values) or ""
        body_html = scrub_text(message.body_html, values)
        if (subject, body_text, body_html) != (
            message.subject,
            message.body_text,
            message.body_html,
        ):
            message.subject, message.body_text, message.body_html = subject, body_text, body_html
