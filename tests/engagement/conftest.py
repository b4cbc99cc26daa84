"""Fixtures of the engagement tests: subscribed tenants, organisations, offers, people."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core import accounts
from core.db import session
from core.models import Role
from core.testing import TEST_PASSWORD

TODAY = dt.date.today()


@pytest.fixture
def coesfeld(tenant: Any, subscribe: Callable[..., Any]) -> Any:
    """Stadt Coesfeld (05558012), subscribed to engagement."""
    subscribe(tenant, "engagement")
    return tenant


@pytest.fixture
def duelmen(other_tenant: Any, subscribe: Callable[..., Any]) -> Any:
    """Stadt Dülmen (05558016), same Kreis, subscribed to engagement."""
    subscribe(other_tenant, "engagement")
    return other_tenant


@pytest.fixture
def muenster(make_tenant: Callable[..., Any], subscribe: Callable[..., Any]) -> Any:
    """Stadt Münster (05515000): same Land, another Kreis."""
    tenant = make_tenant("muenster", "05515000", "Münster, Stadt")
    subscribe(tenant, "engagement")
    return tenant


@pytest.fixture
def make_user(app: Any) -> Callable[..., Any]:
    """Create an account: ``make_user(tenant, "a@example.org", "Anna Admin",
    Role.TENANT_ADMIN)``."""

    def create(tenant: Any, email: str, name: str = "Alex Example", *roles: Role) -> Any:
        user = accounts.create_user(
            email, name, TEST_PASSWORD, list(roles) or [Role.CITIZEN], tenant
        )
        session.commit()
        return user

    return create


@pytest.fixture
def make_volunteer(app: Any) -> Callable[..., Any]:
    """Register a volunteer with a profile: ``make_volunteer(tenant, email, plz=...,
    **profile)``."""
    from plugins.engagement import volunteers

    def create(
        tenant: Any,
        email: str,
        name: str = "Vera Volunteer",
        *,
        birth_year: int = 1990,
        plz: str = "48653",
        **profile: Any,
    ) -> Any:
        user = volunteers.register_volunteer(
            tenant,
            {
                "email": email,
                "display_name": name,
                "password": TEST_PASSWORD,
                "birth_year": birth_year,
                "plz": plz,
                "parent_name": profile.pop("parent_name", ""),
                "parent_email": profile.pop("parent_email", ""),
            },
        )
        if profile:
            volunteers.update_profile(volunteers.profile_of(user), {"plz": plz, **profile})
        session.commit()
        return user

    return create


@pytest.fixture
def make_organisation(app: Any) -> Callable[..., Any]:
    """Register an organisation: ``make_organisation(tenant, "Tafel", verified=True,
    founder=user)``."""
    from plugins.engagement import organisations

    def create(
        tenant: Any,
        name: str = "Tafel Coesfeld e. V.",
        *,
        verified: bool = True,
        founder: Any = None,
        **data: Any,
    ) -> Any:
        values = {
            "name": name,
            "kind": "verein",
            "contact_email": "kontakt@tafel.example.org",
            **data,
        }
        organisation = organisations.create_organisation(tenant, values, founder=founder)
        if verified:
            organisations.set_verified(organisation, True)
        session.commit()
        return organisation

    return create


def offer_input(**overrides: Any) -> dict[str, Any]:
    """Valid input for a regular offer in Coesfeld."""
    return {
        "title": "Lebensmittel sortieren",
        "description": "Wir sortieren gespendete Lebensmittel für bedürftige Familien.",
        "fields": ["social"],
        "skills": ["organising"],
        "plz": "48653",
        "schedule": "regular",
        "time_slots": ["tue-afternoon"],
        "hours_per_week": 3,
        **overrides,
    }


@pytest.fixture
def make_offer(app: Any) -> Callable[..., Any]:
    """Create an offer and submit it (published for verified organisations)."""
    from plugins.engagement import offers

    def create(organisation: Any, *, submit: bool = True, **overrides: Any) -> Any:
        offer = offers.create_offer(organisation, offer_input(**overrides))
        if submit:
            offers.change_status(offer, "submit")
        session.commit()
        return offer

    return create


def change(obj: Any, **values: Any) -> None:
    """Set attributes of a tenant-owned row directly (to arrange a test) and commit."""
    from core.tenancy import tenant_context

    with tenant_context(obj.tenant_id):
        for name, value in values.items():
            setattr(obj, name, value)
        session.commit()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A real local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session_: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        import email
        import email.policy

        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_sink(app: Any) -> Iterator[SmtpSink]:
    """A running local SMTP server; ``app`` is configured to send to it."""
    sink = SmtpSink()
    sink.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    try:
        yield sink
    finally:
        sink.stop()
