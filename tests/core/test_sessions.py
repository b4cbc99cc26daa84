"""Login sessions end server-side: logout, password change and erasure void old cookies."""

from __future__ import annotations

from core import accounts
from core.db import session
from core.testing import TEST_PASSWORD, submit

NEW_PASSWORD = "a brand new long password"


def saved_cookie(client):
    """The session cookie as an attacker would copy it from the browser."""
    return client.get_cookie("session").value


def replay(app, cookie):
    """A fresh browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_cookie_saved_before_logout_gets_the_login_page(app, citizen_client):
    cookie = saved_cookie(citizen_client)
    assert replay(app, cookie).get("/coesfeld/account").status_code == 200
    response = submit(citizen_client, "/coesfeld/logout", {}, form_url="/coesfeld/account")
    assert response.status_code == 302
    replayed = replay(app, cookie).get("/coesfeld/account")
    assert (replayed.status_code, replayed.headers["Location"]) == (
        302,
        "/coesfeld/login?next=/coesfeld/account",
    )


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    app, tenant, citizen, citizen_client, login
):
    elsewhere = app.test_client()
    login(elsewhere, citizen)
    response = submit(
        citizen_client,
        "/coesfeld/account/password",
        {
            "current_password": TEST_PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
        form_url="/coesfeld/account",
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/coesfeld/account")
    assert citizen_client.get("/coesfeld/account").status_code == 200
    assert elsewhere.get("/coesfeld/account").status_code == 302
    assert accounts.authenticate("citizen@example.org", NEW_PASSWORD, tenant).id == citizen.id


def test_changing_the_password_needs_the_current_one(citizen_client):
    response = submit(
        citizen_client,
        "/coesfeld/account/password",
        {
            "current_password": "not the password",
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
        form_url="/coesfeld/account",
    )
    assert response.status_code == 422
    assert "Das Passwort ist falsch." in response.get_data(as_text=True)


def test_a_cookie_saved_before_erasure_gets_the_login_page(app, citizen_client):
    cookie = saved_cookie(citizen_client)
    response = submit(
        citizen_client,
        "/coesfeld/account/delete",
        {"password": TEST_PASSWORD},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 302
    assert replay(app, cookie).get("/coesfeld/account").status_code == 302


def test_set_password_raises_the_session_version(citizen):
    before = citizen.session_version
    accounts.set_password(citizen, NEW_PASSWORD)
    session.commit()
    assert citizen.session_version == before + 1
