"""Authentication is checked before the request body, on every API route.

An anonymous caller learns nothing about an endpoint's body schema: whatever it
sends, the answer is 401 (issue 13 §2: billing answered 422/400, tenants 401).
"""

from __future__ import annotations

import re

from core.db import session
from core.errors import RathausError
from core.services import catalogue, subscribe

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NAMED_PARAMS = {"tenant", "slug", "key", "service"}


def _concrete(rule: str) -> str:
    """The rule with its placeholders filled: names by the tenant's slug, ids by 1."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        return "coesfeld" if name in NAMED_PARAMS else "1"

    return re.sub(r"<([^>]+)>", fill, rule)


def _subscribe_everything(tenant) -> None:
    """Subscribe the tenant to every service, dependencies first (a few passes)."""
    pending = list(catalogue().services)
    for _ in range(len(pending)):
        for key in list(pending):
            try:
                subscribe(tenant, key)
            except RathausError:
                continue
            pending.remove(key)
    session.commit()


def _write_endpoints(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(set(rule.methods) & set(WRITE_METHODS)):
            found.append((method, _concrete(rule.rule)))
    return sorted(found)


def test_there_are_write_endpoints_to_check(app):
    assert len(_write_endpoints(app)) >= 10


def test_an_anonymous_bad_body_gets_401_everywhere(app, client, tenant):
    _subscribe_everything(tenant)
    answers = {
        (method, path): client.open(
            path, method=method, data="{not json", content_type="application/json"
        ).status_code
        for method, path in _write_endpoints(app)
    }
    assert {call: code for call, code in answers.items() if code != 401} == {}
