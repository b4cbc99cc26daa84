"""Fixtures of the billing tests: the seed models loaded from the example files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).parents[2] / "plugins" / "billing" / "examples"
#: Test-only configuration files.
DATA = Path(__file__).parent / "data"


def apply_example(name: str) -> dict[str, Any]:
    """Apply one of the shipped example configuration files."""
    from plugins.billing.configuration import apply_toml

    return apply_toml((EXAMPLES / name).read_text(encoding="utf-8"))


def master_data(tenant: Any) -> Any:
    """Give a tenant complete invoicing master data (committed)."""
    from core.db import session
    from core.identifiers import leitweg_id_from_ags

    tenant.invoice_recipient = f"{tenant.title}, Kämmerei"
    tenant.address_street = "Markt 1"
    tenant.address_postcode = "48653"
    tenant.address_city = tenant.name.split(",")[0]
    tenant.leitweg_id = leitweg_id_from_ags(tenant.ags)
    tenant.invoice_email = f"rechnung@{tenant.slug}.example"
    session.commit()
    return tenant


@pytest.fixture
def engagementdirekt(app: Any) -> dict[str, Any]:
    """Issuer, sponsor, tariff and sponsorship of Engagementdirekt."""
    return apply_example("engagementdirekt.toml")


@pytest.fixture
def coesfeld(tenant: Any) -> Any:
    """Stadt Coesfeld with invoicing master data."""
    return master_data(tenant)


@pytest.fixture
def duelmen(other_tenant: Any) -> Any:
    """Stadt Dülmen with invoicing master data."""
    return master_data(other_tenant)


@pytest.fixture
def connected_2023(engagementdirekt: Any, coesfeld: Any, subscribe: Any) -> Any:
    """Coesfeld connected to Engagementdirekt on 01.09.2023 (sponsored until 31.12.2023)."""
    subscribe(
        coesfeld,
        "engagement",
        starts_on=dt.date(2023, 9, 1),
        allow_backdated=True,
        contract_ref="EA-2023-17",
    )
    return coesfeld


@pytest.fixture
def connected_2024(engagementdirekt: Any, duelmen: Any, subscribe: Any) -> Any:
    """Dülmen connected to Engagementdirekt on 15.03.2024."""
    subscribe(duelmen, "engagement", starts_on=dt.date(2024, 3, 15), allow_backdated=True)
    return duelmen


def run(period: str, **kwargs: Any) -> Any:
    """Run billing for a month."""
    from plugins.billing.periods import parse_month
    from plugins.billing.run import run_billing

    return run_billing(parse_month(period), **kwargs)


def finalize_all(day: dt.date = dt.date(2024, 4, 2)) -> dict[str, Any]:
    """Finalise every draft on ``day``."""
    from plugins.billing.invoices import finalize

    return finalize(everything=True, today=day)


def invoices_json(runner: Any, *args: str) -> list[dict[str, Any]]:
    """``rathaus billing invoices list --json ARGS``, parsed."""
    import json

    result = runner.invoke("billing", "invoices", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def demo_tenants(*ags_list: str) -> dict[str, Any]:
    """Get or create tenants with invoicing master data, by AGS (committed)."""
    from core.db import session
    from plugins.billing.demo import demo_tenant

    tenants = {ags: demo_tenant(ags) for ags in ags_list}
    session.commit()
    return tenants


KKD_AGS = ["06534"] + [f"06534{n:03d}" for n in range(1, 23)]
OZG_AGS = ["05515000", "05915000", "05570", "05558"]


@pytest.fixture
def kkd(app: Any) -> dict[str, Any]:
    """The Kompetenzcenter Kommunal Digital pool with its tenants."""
    tenants = demo_tenants(*KKD_AGS)
    apply_example("kompetenzcenter.toml")
    return tenants


@pytest.fixture
def weights_pool(app: Any) -> dict[str, Any]:
    """A pool shared by module costs and weights (invented inputs, test data)."""
    from plugins.billing.configuration import apply_toml

    tenants = demo_tenants(*KKD_AGS)
    apply_toml((DATA / "weights-pool.toml").read_text(encoding="utf-8"))
    return tenants


@pytest.fixture
def ozg(app: Any) -> dict[str, Any]:
    """An equal cost pool of the four OZG partners (test data for allocation keys)."""
    from plugins.billing.configuration import apply_toml

    tenants = demo_tenants(*OZG_AGS)
    apply_toml((DATA / "four-partner-pool.toml").read_text(encoding="utf-8"))
    return tenants


@pytest.fixture
def ozg_grant(app: Any) -> dict[str, Any]:
    """The OZG coordination grant (seed 004) and the health office grant."""
    tenants = demo_tenants(*OZG_AGS)
    apply_example("ozg-koordination.toml")
    return tenants


class Appointments:
    """A stand-in appointment service plugin that reports its calendars."""

    def __init__(self) -> None:
        self.calendars = 7
        self.calls: list[tuple[str, str, str]] = []

    from core import hookimpl

    @hookimpl
    def billable_usage(self, subscription: Any, period: Any) -> dict[str, int] | None:
        if subscription.service_key != "termin":
            return None
        self.calls.append((subscription.tenant.slug, period.label, str(period.end)))
        return {"calendars": self.calendars, "unpriced_metric": 3}


@pytest.fixture
def appointments(app: Any) -> Appointments:
    """The ``etermin`` service in the catalogue, with a plugin reporting calendars."""
    from core.services import ServiceManifest, catalogue

    plugin = Appointments()
    app.extensions["rathaus.plugins"].pm.register(plugin, name="appointments")
    catalogue(app).add(
        ServiceManifest(
            key="termin",
            title="Terminvereinbarung",
            description="e.termin.net",
            themenfeld="Querschnitt",
        )
    )
    return plugin


@pytest.fixture
def etermin(appointments: Any, subscribe: Any) -> Any:
    """Kreis Coesfeld subscribed to e.termin since 2021 under the example tariff."""
    import datetime as dt

    kreis = demo_tenants("05558")["05558"]
    apply_example("etermin.toml")
    subscribe(kreis, "termin", starts_on=dt.date(2021, 1, 1), allow_backdated=True)
    return kreis
