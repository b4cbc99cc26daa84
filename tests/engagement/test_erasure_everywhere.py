"""Erasure leaves none of the person's values in any table (DSGVO Art. 17).

The person leaves traces everywhere a real user does: a personal access key (its name
in the audit log), a contact request with messages, an organisation's reply that
greets them by first name, a report with a reason, sent and pending mails. After
erasure every table of the database is dumped and searched.
"""

from __future__ import annotations

import json

from sqlalchemy import inspect, select

from core import mail
from core.db import Base, session
from core.models import AuditEntry
from core.tenancy import cross_tenant
from core.testing import TEST_PASSWORD, submit
from plugins.engagement import contacts, moderation
from plugins.engagement.models import Party

EMAIL = "xaver.zwiebel@example.org"
NAME = "Xaver Zwiebelmann"
PERSONAL_VALUES = [
    EMAIL,
    NAME,
    "Xaver",
    "Zwiebelmann",
    "Zwiebel-Skript",  # the name of a personal access key
    "Zwiebelgruss",  # the person's own message
    "Zwiebelbeschwerde",  # the reason of the person's report
]


def dump_every_table() -> str:
    """Every row of every table, as one lower-case text."""
    rows = []
    # Tables other test modules declare on the shared metadata exist only in theirs.
    existing = set(inspect(session.connection()).get_table_names())
    with cross_tenant("the test reads every table"):
        for table in [t for t in Base.metadata.sorted_tables if t.name in existing]:
            for row in session.execute(select(table)):
                rows.append(
                    f"{table.name}: {json.dumps(list(row), default=str, ensure_ascii=False)}"
                )
    return "\n".join(rows).lower()


def test_erasure_leaves_none_of_the_values_in_any_table(
    app, coesfeld, make_organisation, make_offer, make_volunteer, login, smtp_sink
):
    offer = make_offer(make_organisation(coesfeld, "Heimatverein"), plz="48653", places=3)
    xaver = make_volunteer(coesfeld, EMAIL, NAME, fields=["social"])
    client = app.test_client()
    login(client, xaver)
    created = submit(
        client, "/coesfeld/account/tokens", {"name": "Zwiebel-Skript"}, form_url="/coesfeld/account"
    )
    assert created.status_code == 201
    request = contacts.request_contact(coesfeld, offer.id, xaver, "Zwiebelgruss an alle")
    contacts.decide_request(request, True, "Hallo Xaver, willkommen!")
    contacts.post_message(request, Party.ORGANISATION, "Danke Xaver, bis Dienstag.")
    moderation.report_offer(offer, xaver, "Zwiebelbeschwerde: die Zeiten stimmen nicht")
    session.commit()
    assert mail.send_pending().sent >= 2
    contacts.post_message(request, Party.ORGANISATION, "Xaver, noch eine Frage.")
    session.commit()
    xaver_id, pseudonym = xaver.id, xaver.pseudonym
    before = dump_every_table()
    assert all(value.lower() in before for value in PERSONAL_VALUES)

    erased = submit(
        client,
        "/coesfeld/account/delete",
        {"password": TEST_PASSWORD},
        form_url="/coesfeld/account",
    )

    assert erased.status_code == 302
    after = dump_every_table()
    assert [value for value in PERSONAL_VALUES if value.lower() in after] == []
    with cross_tenant("the test reads the audit log"):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erased"))
    assert (entry.actor, entry.target) == (f"user:{xaver_id}:{pseudonym}", f"user:{xaver_id}")
