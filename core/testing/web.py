"""Requests as a browser or an API client makes them: ``bearer`` headers, the CSRF
token of a page, a form POST with it (``submit``) and a page's error summary.
"""

from __future__ import annotations

import html
import re
from typing import Any

CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def bearer(secret: str) -> dict[str, str]:
    """Request headers carrying an API token."""
    return {"Authorization": f"Bearer {secret}"}


def csrf_token(client: Any, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    if match is None:
        raise AssertionError(f"no CSRF token in the page at {url}")
    return match.group(1) or match.group(2)


def error_summary_of(response: Any) -> list[str]:
    """The entries of a page's error summary as ``"#field-id text"`` (linked entries)
    or ``"text"`` (entries about the form as a whole), in page order."""
    page = response.get_data(as_text=True)
    if 'class="error-summary"' not in page:
        return []
    block = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    entries = []
    for item in re.findall(r"<li>(.*?)</li>", block, re.S):
        linked = re.fullmatch(r'\s*<a href="(#[\w-]+)">(.*?)</a>\s*', item, re.S)
        if linked:
            entries.append(f"{linked.group(1)} {html.unescape(linked.group(2)).strip()}")
        else:
            entries.append(html.unescape(item).strip())
    return entries


def submit(
    client: Any, url: str, data: dict[str, Any], *, form_url: str | None = None, **kwargs: Any
) -> Any:
    """POST a form the way a browser does: with the CSRF token of its page."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)
