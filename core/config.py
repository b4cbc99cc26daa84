"""Settings: defaults, then the instance file, then ``RATHAUS_*`` environment variables.

The explicit mapping passed to ``create_app(config)`` wins over all three (tests use it).
Every setting has a documented default here so that an installation with no
configuration at all runs: a SQLite file in the instance folder and a secret key that
is generated once and kept there (never in the repository).
"""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.errors import ValidationError

log = logging.getLogger(__name__)

ENV_PREFIX = "RATHAUS_"
INSTANCE_FILE = "rathaus.toml"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - not a secret

#: Every setting Rathaus itself reads, with its default. Plugins read their own
#: ``<PLUGIN>_*`` keys with defaults of their own; an environment variable
#: ``RATHAUS_X`` always lands in ``app.config["X"]``.
DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; None means ``sqlite:///<instance>/rathaus.sqlite3``.
    "DATABASE_URL": None,
    "SQL_ECHO": False,
    # PostgreSQL: the role every session's transaction runs as (SET LOCAL ROLE), e.g.
    # a non-owner role without BYPASSRLS, so that row-level security applies to it.
    "DATABASE_ROLE": None,
    # None means: read or create ``<instance>/secret_key``.
    "SECRET_KEY": None,
    # Ordered allow-list of plugin names; None means every installed plugin, sorted
    # by entry-point name.
    "PLUGINS": None,
    # Raise instead of logging and skipping a plugin that fails to load.
    "PLUGINS_STRICT": False,
    # Seconds a worker remembers a tenant and its subscriptions for routing requests
    # (core.tenant_directory); changes by other processes show after this; 0: off.
    "TENANT_CACHE_SECONDS": 5.0,
    # Resolve the tenant from the Host header (``Tenant.hostname``) besides the path.
    "TENANT_FROM_HOST": False,
    # Absolute base URL for links in mails and invitations.
    "BASE_URL": "http://127.0.0.1:5000",
    "DEFAULT_LOCALE": "de",
    "LOCALES": ["de", "en"],
    # Login throttling (Flask-Limiter syntax), per client address and per account.
    "LOGIN_RATE_LIMIT": "5 per minute",
    # memory:// counts per process: several workers (gunicorn -w N) need Redis.
    "RATELIMIT_STORAGE_URI": "memory://",
    # Number of reverse proxies in front of the application whose X-Forwarded-For,
    # -Proto, -Host and -Port headers are trusted (Werkzeug ProxyFix); 0 trusts none.
    "TRUSTED_PROXIES": 0,
    # Outgoing mail; no MAIL_SERVER means mail stays queued in the outbox.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Rathaus <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,
    "MAIL_MAX_ATTEMPTS": 5,
    # Session cookies are Secure on every HTTPS request anyway (also as reported by
    # a trusted proxy); SESSION_COOKIE_SECURE=1 makes them Secure always.
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # argon2id parameters (argon2-cffi's defaults: RFC 9106 low-memory profile).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    # API tokens older than this many days expire unless created with another term.
    "API_TOKEN_DEFAULT_DAYS": 365,
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_env_value(key: str, raw: str) -> Any:
    """Convert an environment string to the type of the setting's default.

    :raises ValidationError: when the value does not fit the type (the field is the
        environment variable's name).
    """
    default = DEFAULTS.get(key)
    name = ENV_PREFIX + key
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValidationError(
            "expected a boolean (1/0, true/false), got %(raw)r",
            field=name,
            code="config.not_a_boolean",
            raw=raw,
        )
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(
                "expected a whole number, got %(raw)r",
                field=name,
                code="config.not_a_number",
                raw=raw,
            ) from None
    if key in ("PLUGINS", "LOCALES"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def env_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """All ``RATHAUS_*`` variables as settings, prefix removed, typed by their default."""
    environ = os.environ if environ is None else environ
    return {
        key[len(ENV_PREFIX) :]: parse_env_value(key[len(ENV_PREFIX) :], value)
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key != ENV_PREFIX + "INSTANCE_PATH"
    }


def instance_file_settings(instance_path: Path) -> dict[str, Any]:
    """Settings from ``<instance>/rathaus.toml``; keys are case-insensitive.

    TOML rather than a Python file, so that reading configuration never runs code.
    """
    path = instance_path / INSTANCE_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(read_text_file(path))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            "is not valid TOML: %(exc)s", field=str(path), code="config.invalid_toml", exc=exc
        ) from None
    return {key.upper(): value for key, value in data.items()}


def read_text_file(path: Path) -> str:
    """A UTF-8 text file's content; ``ValidationError`` (field: the path) when it is
    not text, so that a binary file ends in ``Error: <path>: ...``, not a traceback."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            "line %(line)s is not UTF-8 text; is this the right file?",
            field=str(path),
            code="file.not_text",
            line=line,
        ) from None


def resolve_instance_path(config: Mapping[str, Any] | None) -> Path | None:
    """The instance folder named by the explicit config or ``RATHAUS_INSTANCE_PATH``."""
    explicit = (config or {}).get("INSTANCE_PATH") or os.environ.get(ENV_PREFIX + "INSTANCE_PATH")
    return Path(explicit).resolve() if explicit else None


def load_settings(instance_path: Path, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge the four layers and fill the derived defaults (database URL, secret key)."""
    settings = dict(DEFAULTS)
    settings.update(instance_file_settings(instance_path))
    settings.update(env_settings())
    settings.update(config or {})
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = f"sqlite:///{instance_path / 'rathaus.sqlite3'}"
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = instance_secret_key(instance_path)
    return settings


def instance_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first use."""
    path = instance_path / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Write a private temporary file, then link it into place: os.link fails when the
    # key exists, so of two processes starting at once exactly one key wins and
    # nobody ever reads a half-written file.
    tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink()
    log.info("generated a new secret key in %s", path)
    return key
