"""Core's commands: serve, db, plugins, services, users, tokens, mail, demo, bench."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cli import plugin_kit
from core.output import emit, emit_rows, emit_table, json_option
from core.plugins import current_host


def register(group: click.Group) -> None:
    """Add core's commands to the top-level group."""
    for command in (serve, db, plugins, services, users, tokens, mail, demo, bench):
        group.add_command(command)
    plugins.add_command(plugin_kit.hooks)
    group.add_command(plugin_kit.plugin)


def _host():  # type: ignore[no-untyped-def]
    return current_host()


# ---------------------------------------------------------------------------------
# serve
# ---------------------------------------------------------------------------------


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the web platform with Werkzeug's server (use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from core import migrate

    behind = [
        name for name, state in migrate.current(current_app).items() if not state["up_to_date"]
    ]
    if behind:
        click.echo(
            f"Warning: migrations pending for {', '.join(behind)}; run `rathaus db upgrade`.",
            err=True,
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.finish_setup()  # pages and API before the first request, not during it
    click.echo(f"Rathaus is running on http://{host}:{port}/ (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


# ---------------------------------------------------------------------------------
# db
# ---------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """Database schema: migrations of core and every plugin."""


@db.command()
@click.argument("revision", default="heads")
@click.option("--plugin", "only", help="Only this component (core or a plugin name).")
@with_appcontext
def upgrade(revision: str, only: str | None) -> None:
    """Apply migrations: core first, then the enabled plugins in order."""
    from core import migrate

    migrate.upgrade(current_app, revision, only=only)
    for name, state in migrate.current(current_app).items():
        click.echo(f"{name}: {', '.join(state['current']) or 'empty'}")


@db.command()
@click.argument("revision")
@click.option("--plugin", "name", required=True, help="Component to take down (core or a plugin).")
@with_appcontext
def downgrade(revision: str, name: str) -> None:
    """Revert one component's migrations to REVISION (``base`` removes its tables)."""
    from core import migrate

    migrate.downgrade(current_app, name, revision)
    click.echo(f"{name}: downgraded to {revision}")


@db.command()
@json_option
@with_appcontext
def current(as_json: bool) -> None:
    """Show the applied revision of every component."""
    from core import migrate

    state = migrate.current(current_app)

    def show() -> None:
        emit_table(
            ["component", "current", "head", "state"],
            [
                [
                    name,
                    ",".join(s["current"]) or "-",
                    ",".join(s["heads"]),
                    "ok" if s["up_to_date"] else "behind",
                ]
                for name, s in state.items()
            ],
        )

    emit(state, as_json, show)


@db.command()
@click.option("--plugin", "name", required=True, help="Component the migration belongs to.")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--empty", is_flag=True, help="Write an empty script instead of comparing models.")
@with_appcontext
def revision(name: str, message: str, empty: bool) -> None:
    """Write a migration for a component by comparing its models with the database."""
    from core import migrate

    migrate.revision(current_app, name, message, autogenerate=not empty)


@db.command("rls")
@json_option
@with_appcontext
def rls_report(as_json: bool) -> None:
    """Row-level security per table (PostgreSQL): enabled, forced, policies.

    Exit status 1 when a table with a tenant_id column is not under it.
    """
    from core import rls
    from core.db import get_db

    database = get_db()
    if database.dialect != "postgresql":
        raise click.ClickException("row-level security needs PostgreSQL; this is SQLite")
    with database.engine.connect() as connection:
        rows = rls.report(connection)
    emit_rows(
        rows,
        as_json,
        {
            "table": "table",
            "tenant_id": "tenant_id",
            "enabled": "enabled",
            "forced": "forced",
            "policies": lambda r: ",".join(r["policies"]),
        },
    )
    if any(r["tenant_id"] and not (r["enabled"] and r["forced"]) for r in rows):
        raise click.exceptions.Exit(1)


# ---------------------------------------------------------------------------------
# plugins and services
# ---------------------------------------------------------------------------------


@click.group()
def plugins() -> None:
    """Installed plugins and the hooks they implement."""


@plugins.command("list")
@json_option
@with_appcontext
def plugins_list(as_json: bool) -> None:
    """Every plugin with its state (loaded, failed, not-installed) and reason."""
    host = _host()
    infos = [host.infos[name] for name in host.order]

    def show() -> None:
        emit_table(
            ["name", "version", "state", "hooks / reason"],
            [
                [i.name, i.version or "-", i.state, i.reason or ", ".join(sorted(i.hooks))]
                for i in infos
            ],
        )

    emit([info.as_dict() for info in infos], as_json, show)


@click.group()
def services() -> None:
    """The service catalogue."""


@services.command("list")
@json_option
@with_appcontext
def services_list(as_json: bool) -> None:
    """Every service tenants can subscribe to."""
    from core.manifests import catalogue

    manifests = list(catalogue())

    def show() -> None:
        emit_table(
            ["key", "title", "themenfeld", "version", "plugin"],
            [[m.key, m.title, m.themenfeld, m.version, m.plugin] for m in manifests],
        )

    emit([m.as_dict() for m in manifests], as_json, show)


# ---------------------------------------------------------------------------------
# users and tokens
# ---------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Accounts."""


@users.command("create-operator")
@click.argument("email")
@click.option("--name", "display_name", help="Display name (default: the e-mail address).")
@click.option(
    "--password",
    envvar="RATHAUS_OPERATOR_PASSWORD",
    help="Password (default: asked for; or set RATHAUS_OPERATOR_PASSWORD).",
)
@json_option
@with_appcontext
def create_operator(
    email: str, display_name: str | None, password: str | None, as_json: bool
) -> None:
    """Create a platform operator account."""
    from core import accounts, audit
    from core.db import session
    from core.models import Role

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(email, display_name or email, password, [Role.OPERATOR])
    audit.record("operator.created", f"user:{user.id}")
    session.commit()
    emit(
        {"id": user.id, "email": user.email, "roles": sorted(user.roles)},
        as_json,
        f"Created operator {user.email} (id {user.id}).",
    )


@click.group()
def tokens() -> None:
    """API tokens (shown once, stored hashed)."""


@tokens.command("create")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--tenant", "slug", help="Scope the token to this tenant (default: operator).")
@click.option(
    "--user", "email", help="A personal token of this account (at --tenant, or an operator)."
)
@click.option(
    "--days", type=int, help="Validity in days (default: API_TOKEN_DEFAULT_DAYS; 0: none)."
)
@json_option
@with_appcontext
def tokens_create(
    name: str, slug: str | None, email: str | None, days: int | None, as_json: bool
) -> None:
    """Create an API token and print it (the only time it is shown)."""
    from core import accounts, audit
    from core.db import session
    from core.errors import NotFoundError
    from core.tenant_routing import tenant_or_fail

    tenant = tenant_or_fail(slug) if slug else None
    user = None
    if email:
        user = accounts.find_user(email, tenant)
        if user is None:
            where = f"tenant {slug!r}" if slug else "the platform"
            raise NotFoundError(
                "no account %(email)s at %(where)s",
                field="user",
                code="account.not_found",
                email=email,
                where=where,
            )
    token, secret = accounts.create_token(name, tenant, days, user=user)
    audit.record("token.created", f"token:{token.id}", tenant=tenant, details={"name": token.name})
    session.commit()
    data = {
        "id": token.id,
        "name": token.name,
        "scope": token.scope,
        "tenant": slug,
        "user": user.email if user else None,
        "expires_at": token.expires_at,
        "token": secret,
    }

    def show() -> None:
        click.echo(secret)
        click.echo(
            f"Token {token.id} ({token.scope}) – store it now, it is not shown again.", err=True
        )

    emit(data, as_json, show)


@tokens.command("list")
@json_option
@with_appcontext
def tokens_list(as_json: bool) -> None:
    """Every API token (without secrets)."""
    from core import accounts

    rows = [
        {
            "id": t.id,
            "name": t.name,
            "scope": t.scope,
            "tenant_id": t.tenant_id,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "revoked": t.revoked_at is not None,
        }
        for t in accounts.list_tokens()
    ]
    emit_rows(
        rows,
        as_json,
        {
            "id": "id",
            "name": "name",
            "scope": "scope",
            "prefix": "prefix",
            "expires": lambda r: r["expires_at"] or "-",
            "revoked": "revoked",
        },
    )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    from core import accounts, audit
    from core.db import session

    token = accounts.revoke_token(token_id)
    audit.record("token.revoked", f"token:{token.id}")
    session.commit()
    click.echo(f"Revoked token {token.id}.")


# ---------------------------------------------------------------------------------
# mail
# ---------------------------------------------------------------------------------


@click.group()
def mail() -> None:
    """The mail outbox."""


@mail.command("send")
@click.option("--category", help="Only messages whose category starts with this.")
@json_option
@with_appcontext
def mail_send(category: str | None, as_json: bool) -> None:
    """Send due mail over SMTP (safe to run again: nothing is sent twice)."""
    from core.mail import send_pending

    report = send_pending(category_prefix=category)
    emit(
        report.as_dict(),
        as_json,
        f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}",
    )


# ---------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------


@click.command()
@click.option("--no-upgrade", is_flag=True, help="Do not apply pending migrations first.")
@with_appcontext
def demo(no_upgrade: bool) -> None:
    """Fill demonstration data (idempotent: a second run changes nothing)."""
    from core import migrate
    from core.db import session

    if not no_upgrade:
        migrate.upgrade(current_app)
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        _host().hook.demo_data(app=app, session=session)
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo("Demo data is in place.")
    credentials = Path(current_app.instance_path) / "demo-credentials.txt"
    if credentials.exists():
        click.echo(f"Demo logins: {credentials}")


# ---------------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------------


@click.group()
def bench() -> None:
    """Benchmarks that print figures."""


@bench.command("startup")
@click.option("--runs", default=10, show_default=True, help="Repetitions of each measurement.")
@click.option(
    "--tenant",
    default="coesfeld",
    show_default=True,
    help="Slug of an existing tenant, for `rathaus tenants show`.",
)
@json_option
def bench_startup(runs: int, tenant: str, as_json: bool) -> None:
    """Cold start of `rathaus --help`, plugin commands and `create_app()`, each as a
    ratio to `python -c "import flask"` timed in the same run (see cli/bench.py)."""
    from cli import bench as startup

    figures = startup.measure(runs, tenant)
    emit(figures, as_json, lambda: click.echo(startup.report(figures)))
