"""Test set-up of rathaus-termin.

The fixtures ``app``, ``client``, ``runner``, ``tenant``, ``other_tenant``,
``subscribed_tenant``, ``tenant_token``, ``make_token``, ``tenant_admin_client`` ...
come with Rathaus (``pytest11`` entry point). Here: which plugins the test
application loads (this one, and billing, through whose hook it reports usage),
and the service's own fixtures (helpers in ``termin_helpers.py``).
"""

from __future__ import annotations

import pytest
from termin_helpers import make_office


@pytest.fixture(scope="session")
def rathaus_plugins() -> list[str]:
    return ["billing", "termin"]


@pytest.fixture
def office(subscribed_tenant):
    """The Bürgerbüro of Coesfeld (subscribed): four half-hour slots tomorrow, 08:00-10:00;
    returns the calendar and its slot ids."""
    return make_office(subscribed_tenant)
