"""The demo's logins, kept in ``<instance>/demo-credentials.txt`` (mode 0600).

Every plugin's ``demo_data`` records the accounts it creates here, one line each as
``ROLE: EMAIL / PASSWORD (log in at URL)``. Lines are never truncated away by a later
hook: a login is added, or replaces the earlier line of the same e-mail address (a
database made afresh gives its accounts new passwords).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

FILE_NAME = "demo-credentials.txt"
#: Roles in the order the file lists them (the one to try first on top).
ROLE_ORDER = ("operator", "tenant admin", "Kreis admin", "organisation member", "volunteer")


def credentials_path() -> Path:
    """Where the demo logins are kept."""
    return Path(current_app.instance_path) / FILE_NAME


def record_login(role: str, email: str, password: str, url: str) -> None:
    """Add (or replace) the line of one demo login."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = f": {email} / "
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if marker not in line]
    kept.append(f"{role}: {email} / {password} (log in at {url})")
    kept.sort(key=_rank)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(kept) + "\n")


def _rank(line: str) -> int:
    role = line.split(":", 1)[0]
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
