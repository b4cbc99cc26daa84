"""The tenant's settings of the engagement service (the subscription's ``settings``).

Kept apart from the open-data export so that the service manifest, which is built
with the application, does not import the search and export modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma


@dataclass(frozen=True)
class Licence:
    """A licence of the Datenlizenz Deutschland family."""

    key: str
    name: str
    url: str
    dcat_uri: str


LICENCES = {
    licence.key: licence
    for licence in (
        Licence(
            "dl-by-de/2.0",
            "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "https://www.govdata.de/dl-de/by-2-0",
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        ),
        Licence(
            "dl-zero-de/2.0",
            "Datenlizenz Deutschland – Zero – Version 2.0",
            "https://www.govdata.de/dl-de/zero-2-0",
            "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
        ),
    )
}
DEFAULT_LICENCE = "dl-by-de/2.0"


class EngagementSettingsSchema(ma.Schema):
    """The tenant's settings of the engagement service."""

    open_data_licence = ma.fields.String(
        load_default=DEFAULT_LICENCE,
        validate=ma.validate.OneOf(sorted(LICENCES)),
        metadata={"description": "licence of the open data: dl-by-de/2.0 or dl-zero-de/2.0"},
    )
