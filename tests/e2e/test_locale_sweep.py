"""Clerks read words, not identifiers; numbers and dates in the page's language.

The demo's logins (operator, tenant admin, Kreis admin, organisation member, volunteer)
and an anonymous visitor walk every page they can reach by links, in German and in
English. No page may show a status identifier (``draft``, ``in_review``), an audit
action (``engagement.organisation.verified``), an actor (``user:6``, ``cli:root``), an
ISO date, an amount or rate with the other language's decimal sign, or ``100.0 %``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from core.testing import submit

LOGIN = re.compile(
    r"^(?P<role>[A-Za-z ]+): (?P<email>\S+@\S+) / (?P<password>\S+) \(log in at (?P<url>/\S*login)\)$"
)

#: Pages no link leads to (a form's target, a detail a search finds), visited as well.
EXTRA_PAGES = (
    "/login",
    "/coesfeld/",
    "/coesfeld/engagement/",
    "/coesfeld/engagement/register",
    "/coesfeld/engagement/offers/1",
    "/kreis-coesfeld/admin/municipalities/havixbeck/billing/",
)
#: Each shape of address (tenant and numbers left out) is visited this often at most.
PER_SHAPE = 3
SKIPPED = re.compile(r"/logout|/sprache/|/api/|\.(xml|csv|json|pdf|zip)(\?|$)")

STATUS_WORDS = {
    "draft", "in_review", "published", "paused", "declined", "rejected", "archived",
    "expired", "final", "cancelled", "paid", "open", "pending", "requested", "accepted",
    "withdrawn", "completed", "active", "suspended", "offboarded", "scheduled", "ended",
}  # fmt: skip
IDENTIFIER = re.compile(r"[a-z]+(_[a-z]+)+|[a-z]+\.[a-z_]+\.[a-z_]+|(user|cli|token):\S*")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|^\d{4}-\d{2}$")
ONE_DECIMAL_ZERO_PERCENT = re.compile(r"\d\.0\s?%")
#: An amount, rate or figure in the other language's notation: a decimal number before
#: € or % or alone in its cell (dates like 30.06.2021 and "BITV 2.0" are no such thing).
FOREIGN_DECIMAL = {
    "de": re.compile(r"(?<![\d.])(?<!Version )\d+\.\d{1,2}(?![\d.])(?=\s?[€%]|$)|^\d+\.\d+$"),
    "en": re.compile(r"(?<![\d,])(?<!Version )\d+,\d{1,2}(?![\d,])(?=\s?[€%]|$)|^\d+,\d+$"),
}


class VisibleText(HTMLParser):
    """The text nodes people see (and read out: alt, title, aria-label) and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in ("title", "aria-label", "alt", "placeholder"):
            if values.get(name):
                self.nodes.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.nodes.append(" ".join(data.split()))


def _shape(url: str) -> str:
    path = re.sub(r"^/[^/]+", "/*", url.split("?")[0])
    return re.sub(r"\d+", "N", path)


def crawl(client: Any, starts: list[str], language: str) -> Iterator[tuple[str, list[str]]]:
    """Every HTML page reachable from ``starts`` by links: (address, visible text nodes)."""
    queue, seen, shapes = list(starts), set(starts), {}
    headers = {"Accept-Language": language}
    while queue:
        url = queue.pop(0)
        response = client.get(url, headers=headers)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        yield url, parser.nodes
        for href in parser.links:
            href = href.split("#")[0]
            if not href.startswith("/") or href.startswith("//") or href in seen:
                continue
            if SKIPPED.search(href):
                continue
            shapes[_shape(href)] = shapes.get(_shape(href), 0) + 1
            if shapes[_shape(href)] <= PER_SHAPE:
                seen.add(href)
                queue.append(href)


def problems(nodes: list[str], language: str, keys: set[str]) -> list[str]:
    """What on one page is an identifier (or one of ``keys``) or in the other
    language's format."""
    found = []
    for node in nodes:
        if node in STATUS_WORDS or node in keys or IDENTIFIER.fullmatch(node):
            found.append(f"identifier {node!r}")
        for pattern in (ISO_DATE, ONE_DECIMAL_ZERO_PERCENT, FOREIGN_DECIMAL[language]):
            found += [f"format {match.group(0)!r} in {node!r}" for match in pattern.finditer(node)]
    return found


def demo_logins(app: Any) -> list[re.Match[str]]:
    """The first login of every role the demo lists."""
    lines = (Path(app.instance_path) / "demo-credentials.txt").read_text().splitlines()
    logins: dict[str, re.Match[str]] = {}
    for line in lines:
        match = LOGIN.match(line)
        assert match, line
        logins.setdefault(match["role"], match)
    return list(logins.values())


def logged_in(app: Any, login: re.Match[str] | None) -> tuple[Any, str]:
    """A client logged in with a demo login (or none), and where login took it."""
    client = app.test_client()
    if login is None:
        return client, "/"
    response = submit(
        client, login["url"], {"email": login["email"], "password": login["password"]}
    )
    assert response.status_code == 302, login.group(0)
    return client, response.headers["Location"]


@pytest.fixture
def demo(app: Any, runner: Any) -> list[re.Match[str] | None]:
    """The demo data; the logins of every role and the anonymous visitor (None)."""
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert runner.invoke("demo").exit_code == 0
    return [None, *demo_logins(app)]


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_page_shows_identifiers_iso_dates_or_foreign_numbers(app, demo, language):
    roles = [login["role"] if login else "visitor" for login in demo]
    assert roles == [
        "visitor", "operator", "tenant admin", "Kreis admin", "organisation member", "volunteer"
    ]  # fmt: skip
    from core.services import EXTENSION_KEY

    service_keys = set(app.extensions[EXTENSION_KEY].services)
    assert "engagement" in service_keys
    found, visited = [], 0
    for login in demo:
        client, start = logged_in(app, login)
        for url, nodes in crawl(client, [start, *EXTRA_PAGES], language):
            visited += 1
            role = login["role"] if login else "visitor"
            found += [
                f"{role} {url}: {problem}" for problem in problems(nodes, language, service_keys)
            ]
    assert visited > 250
    assert found == []


def visible(client: Any, url: str, language: str, status: int = 200) -> str:
    """The page's visible text, whitespace collapsed."""
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == status, url
    parser = VisibleText()
    parser.feed(response.get_data(as_text=True))
    return " ".join(parser.nodes)


EXPECTED = {
    "de": {
        "operator": [
            ("/operator/invoices/", "KIT-2024-00003 Stadt Dülmen (duelmen) Kommunal-IT Musterland GmbH März 2024 Endgültig 5.939,64 €"),
            ("/operator/invoices/23", "Engagementdirekt: einmalige Anschlussgebühr 1 4.580,00 € 4.580,00 € 19 % USt."),
            ("/operator/tenants/coesfeld", "Status Aktiv Ebene Gemeinde"),
            ("/operator/tenants/muenster", "Status Aktiv Ebene Kreisfreie Stadt"),
            ("/operator/tenants/", "Stadt Coesfeld 05558012 Aktiv Ehrenamt"),
        ],
        "tenant admin": [
            ("/coesfeld/billing/", "KIT-2024-00001 01.02.2024 Januar 2024 892,50 € Endgültig"),
            ("/coesfeld/billing/", "Ehrenamt 01.09.2023 – 19 % USt."),
            ("/coesfeld/billing/invoices/KIT-2024-00001", "Netto (19 % USt.) 750,00 € USt. 19 % 142,50 € Gesamtbetrag 892,50 €"),
            ("/coesfeld/engagement/admin/stats", "Veröffentlicht 4 Pausiert 0"),
            ("/coesfeld/engagement/admin/stats", "Wartet auf Antwort 0 Angenommen 1"),
            ("/coesfeld/engagement/admin/stats", "Annahmequote 100 %"),
            ("/coesfeld/admin/audit", "Kommandozeile (root) Organisation geprüft"),
        ],
        "Kreis admin": [
            ("/kreis-coesfeld/billing/grants/ozg-koordination", "AO-OZG-2021-00001 Stadt Münster 2021 30.06.2021 41.666,67 €"),
            ("/kreis-coesfeld/admin/municipalities/coesfeld/", "Stadt Coesfeld hat dem Kreis die Verwaltung nicht erlaubt.", 403),
        ],
    },
    "en": {
        "operator": [
            ("/operator/invoices/", "KIT-2024-00003 Stadt Dülmen (duelmen) Kommunal-IT Musterland GmbH March 2024 Final €5,939.64"),
            ("/operator/invoices/23", "Engagementdirekt: einmalige Anschlussgebühr 1 €4,580.00 €4,580.00 19 % VAT"),
            ("/operator/tenants/coesfeld", "Status Active Level Municipality"),
            ("/operator/tenants/muenster", "Status Active Level Independent city"),
            ("/operator/tenants/", "Stadt Coesfeld 05558012 Active Volunteering"),
        ],
        "tenant admin": [
            ("/coesfeld/billing/", "KIT-2024-00001 Feb 1, 2024 January 2024 €892.50 Final"),
            ("/coesfeld/billing/", "Volunteering Sep 1, 2023 – 19 % VAT"),
            ("/coesfeld/billing/invoices/KIT-2024-00001", "Net (19 % VAT) €750.00 VAT 19 % €142.50 Total €892.50"),
            ("/coesfeld/engagement/admin/stats", "Published 4 Paused 0"),
            ("/coesfeld/engagement/admin/stats", "Waiting for an answer 0 Accepted 1"),
            ("/coesfeld/engagement/admin/stats", "Acceptance rate 100 %"),
            ("/coesfeld/admin/audit", "Command line (root) Organisation verified"),
        ],
        "Kreis admin": [
            ("/kreis-coesfeld/billing/grants/ozg-koordination", "AO-OZG-2021-00001 Stadt Münster 2021 Jun 30, 2021 €41,666.67"),
            ("/kreis-coesfeld/admin/municipalities/coesfeld/", "Stadt Coesfeld has not allowed the district to administer it.", 403),
        ],
    },
}  # fmt: skip


@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_show_labels_and_the_languages_formats(app, demo, language):
    logins = {login["role"]: login for login in demo if login}
    missing = []
    for role, pages in EXPECTED[language].items():
        client, _start = logged_in(app, logins[role])
        for url, expected, *status in pages:
            if expected not in visible(client, url, language, *status):
                missing.append((role, url, expected))
    assert missing == []
