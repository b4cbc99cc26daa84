"""The worker's tenant directory (``core.tenant_directory``): requests of a tenant are
routed without asking the database each time; this process's writes are seen at once,
another process's after ``TENANT_CACHE_SECONDS``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from sqlalchemy import event, inspect

from core import tenant_directory
from core.db import Database, get_db, session
from core.models import Subscription, Tenant, TenantKind, TenantStatus
from core.tenancy import tenant_context
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin


@pytest.fixture
def rathaus_config():
    return {"PLUGINS": [*BUILT_IN, "probe"], "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}


def count_reads(engine):
    """Counts of SELECTs on the tenant and subscription tables through ``engine``."""
    counts = {"core_tenant": 0, "core_subscription": 0}

    def count(_conn, _cursor, statement, *_args):
        found = re.match(r'\s*SELECT\b.*?\bFROM\s+"?(\w+)', statement, re.S | re.I)
        if found and found.group(1) in counts:
            counts[found.group(1)] += 1

    event.listen(engine, "before_cursor_execute", count)
    return counts, lambda: event.remove(engine, "before_cursor_execute", count)


def next_request():
    """The test client's requests share the test's session; a worker's next request
    starts with an empty one."""
    session.expunge_all()


@pytest.fixture
def elsewhere(app):
    """A session on the same database through an engine of its own: writes through it
    are what another process (the CLI, another worker) does."""
    database = Database(current_app.config["DATABASE_URL"])
    db_session = database.session()
    yield db_session
    db_session.close()
    database.dispose()


@pytest.fixture
def later(monkeypatch):
    """Move the directory's clock on by some seconds."""
    offset = [0.0]
    real = tenant_directory.time.monotonic
    monkeypatch.setattr(tenant_directory.time, "monotonic", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def test_repeated_requests_ask_the_database_once(app, client, tenant, subscribe):
    subscribe(tenant, "probe")
    reads, stop = count_reads(get_db(app).engine)
    answers = []
    for _ in range(3):
        next_request()
        answers.append(client.get("/coesfeld/probe/").get_data(as_text=True))
    stop()
    assert answers == ["probe page of coesfeld"] * 3
    assert reads == {"core_tenant": 1, "core_subscription": 1}


def test_turned_off_it_asks_on_every_request(app, tenant, subscribe):
    from core import create_app

    subscribe(tenant, "probe")
    uncached = create_app(
        {**app.config, "TENANT_CACHE_SECONDS": 0, "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}
    )
    counted, stop = count_reads(get_db(uncached).engine)
    with uncached.app_context():
        client = uncached.test_client()
        assert [client.get("/coesfeld/probe/").status_code for _ in range(3)] == [200] * 3
    stop()
    assert counted == {"core_tenant": 3, "core_subscription": 3}
    assert tenant_directory.directory_of(uncached) is None


def test_a_suspension_in_this_process_is_seen_at_once(client, tenant, subscribe):
    subscribe(tenant, "probe")
    assert client.get("/coesfeld/probe/").status_code == 200
    tenant.status = TenantStatus.SUSPENDED
    session.commit()
    assert client.get("/coesfeld/probe/").status_code == 503


def test_an_ended_subscription_in_this_process_is_seen_at_once(client, tenant, subscribe):
    subscription = subscribe(tenant, "probe")
    assert client.get("/coesfeld/probe/").status_code == 200
    with tenant_context(tenant):
        session.delete(session.get(Subscription, subscription.id))
        session.commit()
    assert client.get("/coesfeld/probe/").status_code == 404


def test_another_process_s_change_shows_after_the_seconds(
    client, tenant, subscribe, elsewhere, later
):
    subscribe(tenant, "probe")
    assert client.get("/coesfeld/probe/").status_code == 200
    elsewhere.get(Tenant, tenant.id).status = TenantStatus.SUSPENDED
    elsewhere.commit()
    later(4.0)
    next_request()
    assert client.get("/coesfeld/probe/").status_code == 200  # still remembered
    later(1.5)
    next_request()
    assert client.get("/coesfeld/probe/").status_code == 503


def test_an_unknown_slug_is_not_remembered(client, elsewhere):
    assert client.get("/neustadt/probe/").status_code == 404
    neustadt = Tenant(
        slug="neustadt",
        ags="05558099",
        name="Neustadt",
        kind=TenantKind.GEMEINDE,
        status=TenantStatus.ACTIVE,
    )
    elsewhere.add(neustadt)
    elsewhere.flush()
    elsewhere.add(
        Subscription(tenant_id=neustadt.id, service_key="probe", starts_on=dt.date(2020, 1, 1))
    )
    elsewhere.commit()
    assert client.get("/neustadt/probe/").get_data(as_text=True) == "probe page of neustadt"


def test_the_remembered_tenant_is_a_loaded_object_of_the_request_s_session(app, make_tenant):
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld", kind=TenantKind.KREIS)
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt", parent=kreis)
    directory = tenant_directory.directory_of(app)
    database = get_db(app)
    loads = []

    def loader(db_session):
        def load(slug):
            loads.append(slug)
            return db_session.query(Tenant).filter_by(slug=slug).one()

        return load

    with database.session() as first:
        directory.tenant(first, "coesfeld", loader(first))
    with database.session() as second:
        remembered = directory.tenant(second, "coesfeld", loader(second))
        state = inspect(remembered)
        assert (state.persistent, state.session is second, state.expired_attributes) == (
            True,
            True,
            set(),
        )
        assert remembered.parent.slug == "kreis-coesfeld"  # a lazy relationship loads
        remembered.display_name = "Stadt Coesfeld"
        second.commit()
    assert loads == ["coesfeld"]
    # The write made the directory forget: the next look-up reads the new name.
    with database.session() as third:
        assert directory.tenant(third, "coesfeld", loader(third)).display_name == "Stadt Coesfeld"
    assert loads == ["coesfeld", "coesfeld"]
