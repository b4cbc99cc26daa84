"""Core's own hook implementations: fallbacks that run after every plugin's."""

from __future__ import annotations

from typing import Any

from core import hookimpl


@hookimpl(trylast=True)
def geocode(query: str) -> Any:
    """Answer postcodes and municipality names from the offline gazetteer."""
    from core import gazetteer

    return gazetteer.geocode(query)


DEMO_OPERATOR = "operator@demo.rathaus.invalid"


@hookimpl
def demo_data(app: Any, session: Any) -> None:
    """A demo operator account; its password is generated once and written to
    ``<instance>/demo-credentials.txt`` (mode 0600), never kept in the repository."""
    import os
    import secrets

    from core import accounts
    from core.demo_logins import record_login
    from core.models import Role

    if accounts.find_user(DEMO_OPERATOR, None) is not None:
        return
    password = os.environ.get("RATHAUS_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    accounts.create_user(DEMO_OPERATOR, "Demo-Betrieb", password, [Role.OPERATOR])
    record_login("operator", DEMO_OPERATOR, password, "/login")
