"""Login, logout, registration and the account page (data export and deletion).

Operators log in at ``/login``; everyone else at their tenant's ``/<tenant>/login``.
Failed logins are throttled per client address and per account (``LOGIN_RATE_LIMIT``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from core import accounts, audit, ratelimit
from core.auth import current_principal, log_in, log_out, login_required
from core.db import session
from core.errors import ConflictError, ErrorCollector, ValidationError
from core.forms import (
    DeleteAccountForm,
    EmptyForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    TokenForm,
    validate_whole_form,
)
from core.models import Role, Tenant
from core.security import safe_next


def blueprint() -> Blueprint:
    """A fresh blueprint of the login and account pages (one per application)."""
    bp = Blueprint("auth", __name__)
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return bp


def _login_keys(form: LoginForm) -> tuple[tuple[str, str], tuple[str, str]]:
    """What failed logins are counted against: the client address and the account."""
    where = g.tenant.slug if g.get("tenant") else "-platform-"
    account = f"{where}:{(form.email.data or '').strip().lower()}"
    return ("login-address", request.remote_addr or "unknown"), ("login-account", account)


def _throttled(form: LoginForm) -> bool:
    """True when the client address or the account has failed too often lately.

    Only failures count: behind a proxy or a town hall's NAT many people log in from
    one address, and their successful logins must not lock each other out.
    """
    limit = current_app.config["LOGIN_RATE_LIMIT"]
    return not all(ratelimit.allows(limit, *key) for key in _login_keys(form))


def _count_failure(form: LoginForm) -> None:
    limit = current_app.config["LOGIN_RATE_LIMIT"]
    for key in _login_keys(form):
        ratelimit.hit(limit, *key)


def _login(tenant: Tenant | None, default_next: str) -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        if _throttled(form):
            return render_template("auth/login.html", form=form, throttled=True), 429
        user = accounts.authenticate(form.email.data, form.password.data, tenant)
        if user is not None:
            log_in(user)
            session.commit()
            return redirect(safe_next(request.args.get("next")) or default_next)
        _count_failure(form)
        form.password.errors.append(_("E-mail address or password is wrong."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


def login() -> Any:
    """The operators' login: they land on their console."""
    return _login(None, url_for("operator.index"))


def tenant_login() -> Any:
    """Login for a tenant's citizens, organisation members and admins."""
    return _login(g.tenant, url_for("core.portal"))


def logout() -> Response:
    """End the login session."""
    EmptyForm().validate_on_submit()  # CSRF is checked for every POST already
    log_out()
    session.commit()
    flash(_("You have been logged out."))
    return redirect(url_for("core.portal") if g.get("tenant") else url_for("core.home"))


def register() -> Any:
    """A citizen creates an account at the municipality."""
    tenant: Tenant = g.tenant
    if not tenant.serves_citizens:
        abort(503, description="suspended")
    form = RegisterForm()
    if validate_whole_form(form, lambda: _check_account(form), message=_translate_account_error):
        limit = current_app.config["LOGIN_RATE_LIMIT"]
        if not ratelimit.hit(limit, "register", request.remote_addr or "unknown"):
            return render_template("auth/register.html", form=form, throttled=True), 429
        try:
            user = accounts.create_user(
                form.email.data, form.display_name.data, form.password.data, [Role.CITIZEN], tenant
            )
        except (ValidationError, ConflictError) as exc:
            field = getattr(form, exc.field or "", None)
            (field.errors if field is not None else form.form_errors).append(
                _translate_account_error(exc)
            )
            return render_template("auth/register.html", form=form), 422
        log_in(user)
        session.commit()
        flash(_("Welcome! Your account has been created."))
        return redirect(safe_next(request.args.get("next")) or url_for("core.portal"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


def _check_account(form: RegisterForm) -> None:
    """The account rules beyond presence and length (the e-mail address's form)."""
    errors = ErrorCollector()
    errors.run(accounts.normalise_email, form.email.data or "")
    errors.run(accounts.validate_password, form.password.data or "")
    errors.raise_any()


def _translate_account_error(exc: ValidationError | ConflictError) -> str:
    if isinstance(exc, ConflictError):
        return _("This e-mail address already has an account here. Please log in.")
    if exc.field == "email":
        return _("Please enter a valid e-mail address.")
    return exc.localized()


def _account_page(status: int = 200, **forms: Any) -> Any:
    user = current_principal().user
    context = {
        "delete_form": DeleteAccountForm(),
        "export_form": EmptyForm(),
        "token_form": TokenForm(),
        "revoke_form": EmptyForm(),
        "password_form": PasswordForm(),
        "tokens": accounts.tokens_of(user) if user is not None else [],
        **forms,
    }
    return render_template("auth/account.html", **context), status


@login_required
def account() -> Any:
    """The account page: what we store, export, delete; personal API access."""
    return _account_page()


@login_required
def create_personal_token() -> Any:
    """Create a personal API token; its secret is shown on this answer only."""
    user = current_principal().user
    if user is None:
        abort(403)
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    token, secret = accounts.create_token(form.name.data, user=user)
    audit.record(
        "token.created", f"token:{token.id}", tenant=g.tenant, details={"name": token.name}
    )
    session.commit()
    return _account_page(201, new_token=secret)


@login_required
def revoke_personal_token(token_id: int) -> Any:
    """Revoke one of one's own personal tokens."""
    user = current_principal().user
    if user is None or token_id not in {token.id for token in accounts.tokens_of(user)}:
        abort(404)
    accounts.revoke_token(token_id)
    audit.record("token.revoked", f"token:{token_id}", tenant=g.tenant)
    session.commit()
    flash(_("The access has been revoked."))
    return redirect(url_for("auth.account"))


@login_required
def change_password() -> Any:
    """Change one's password (needs the current one); every other login session ends."""
    user = current_principal().user
    if user is None:
        abort(403)
    form = PasswordForm()
    valid = form.validate_on_submit()
    # The current password is checked even when the new one is wrong, so that one
    # submit names every problem (but only on a genuine form: CSRF token accepted).
    checkable = bool(form.current_password.data) and not form.csrf_token.errors
    if (
        checkable
        and accounts.authenticate(user.email, form.current_password.data, g.tenant) is None
    ):
        form.current_password.errors = [_("The password is wrong.")]
        valid = False
    if not valid:
        return _account_page(422, password_form=form)
    accounts.set_password(user, form.password.data)
    audit.record("account.password_changed", f"user:{user.id}", tenant=g.tenant)
    log_in(user)  # this session goes on with the new version; the others are void
    session.commit()
    flash(_("Your password has been changed. You have been logged out everywhere else."))
    return redirect(url_for("auth.account"))


@login_required
def export_account() -> Response:
    """Download everything stored about oneself as JSON (DSGVO Art. 15 and 20)."""
    user = current_principal().user
    if user is None:
        abort(403)
    data = accounts.export_user(user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="meine-daten.json"'},
    )


@login_required
def delete_account() -> Any:
    """Delete one's account and personal data (DSGVO Art. 17); needs the password."""
    user = current_principal().user
    if user is None:
        abort(403)
    form = DeleteAccountForm()
    if (
        not form.validate_on_submit()
        or accounts.authenticate(user.email, form.password.data, g.tenant) is None
    ):
        form.password.errors = list(form.password.errors) or [_("The password is wrong.")]
        return _account_page(422, delete_form=form)
    audit.record("account.erased", f"user:{user.id}", tenant=g.tenant)
    accounts.erase_user(user)
    session.commit()
    log_out()
    flash(_("Your account and your personal data have been deleted."))
    return redirect(url_for("core.portal"))


#: Every page: (rule, view, methods).
ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/login", login, ["GET", "POST"]),
    ("/<tenant>/login", tenant_login, ["GET", "POST"]),
    ("/logout", logout, ["POST"]),
    ("/<tenant>/logout", logout, ["POST"]),
    ("/<tenant>/register", register, ["GET", "POST"]),
    ("/<tenant>/account", account, ["GET"]),
    ("/<tenant>/account/tokens", create_personal_token, ["POST"]),
    ("/<tenant>/account/tokens/<int:token_id>/revoke", revoke_personal_token, ["POST"]),
    ("/<tenant>/account/password", change_password, ["POST"]),
    ("/<tenant>/account/export", export_account, ["POST"]),
    ("/<tenant>/account/delete", delete_account, ["POST"]),
]
