"""Browser fixtures for every browser test of the suite (registered in tests/conftest.py):
a live server on a free port and Debian's Chromium driven by Playwright.

One Playwright instance per test session: the synchronous API cannot run twice in one
process, so plugin tests use these fixtures rather than starting their own.

Playwright's own browser download does not work on closed networks, so the tests use
``/usr/bin/chromium`` (``scripts/test.sh`` installs it). A missing browser fails the
tests with a message saying so; it never skips them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("RATHAUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/test.sh does)"
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The test application served over HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (cookies, storage) and page, German by default."""
    context = browser.new_context(locale="de-DE")
    tab = context.new_page()
    yield tab
    context.close()


def accessibility_violations(tab: Any) -> list[str]:
    """WCAG 2.1 A/AA violations found by axe-core on the current page, readable."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}x, e.g. {violation['nodes'][0]['html'][:120]})"
        for violation in results.response["violations"]
    ]
