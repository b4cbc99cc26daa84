"""Login throttling counts failures only; proxies and HTTPS are recognised when trusted."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.models import Role
from core.testing import TEST_PASSWORD, csrf_token


@pytest.fixture
def three_people(tenant):
    people = [
        accounts.create_user(
            f"person{i}@example.org", f"P {i}", TEST_PASSWORD, [Role.CITIZEN], tenant
        )
        for i in range(3)
    ]
    session.commit()
    return people


def log_in_once(app, email, password, environ=None):
    client = app.test_client()
    token = csrf_token(client, "/coesfeld/login")
    return client.post(
        "/coesfeld/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ or {},
    ).status_code


def test_successful_logins_from_one_address_do_not_lock_anyone_out(app, three_people):
    codes = [
        log_in_once(app, person.email, TEST_PASSWORD) for _ in range(3) for person in three_people
    ]
    assert codes == [302] * 9


def test_failures_from_one_address_are_limited(app, three_people):
    codes = [log_in_once(app, f"nobody{i}@example.org", "wrong password!") for i in range(6)]
    assert codes == [401, 401, 401, 401, 401, 429]


def test_without_trusted_proxies_forwarded_addresses_are_ignored(app, three_people):
    codes = [
        log_in_once(
            app,
            f"nobody{i}@example.org",
            "wrong password!",
            {"HTTP_X_FORWARDED_FOR": f"203.0.113.{i}"},
        )
        for i in range(6)
    ]
    assert codes[-1] == 429


class TestBehindOneTrustedProxy:
    @pytest.fixture
    def rathaus_config(self):
        return {"TRUSTED_PROXIES": 1}

    def test_failures_count_per_client_address(self, app, three_people):
        # Five failures of one client behind the proxy use up that client's allowance ...
        first = [
            log_in_once(
                app,
                f"nobody{i}@example.org",
                "wrong password!",
                {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},
            )
            for i in range(6)
        ]
        assert first == [401, 401, 401, 401, 401, 429]
        # ... but another client behind the same proxy still gets in.
        other = log_in_once(
            app,
            three_people[0].email,
            TEST_PASSWORD,
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"},
        )
        assert other == 302

    def test_https_reported_by_the_proxy_gives_secure_cookies_and_hsts(self, app, tenant):
        response = app.test_client().get(
            "/coesfeld/login",
            environ_base={"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"},
        )
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
        assert "; Secure" in response.headers["Set-Cookie"]

    def test_plain_http_gets_neither(self, app, tenant):
        response = app.test_client().get("/coesfeld/login")
        assert "Strict-Transport-Security" not in response.headers
        assert "; Secure" not in response.headers["Set-Cookie"]
