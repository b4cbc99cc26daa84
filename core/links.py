"""What plugins contribute to core's pages: links on a tenant's portal and its
administration, and sections of the operator console.

Plain values with no imports of core's own, so that the hook specifications, the
pages that show them and the plugins that make them can all name them without tying
core's modules into a circle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalLink:
    """A link on a tenant's portal page, belonging to one service.

    :param service: key of the service; the link shows only while the tenant has an
        active subscription to it.
    :param title: link text (translated by the plugin).
    :param url: where it leads.
    :param description: one sentence under the link.
    """

    service: str
    title: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class AdminLink:
    """A link to an administration page of a tenant (hook ``admin_links``)."""

    title: str
    url: str


@dataclass(frozen=True)
class OperatorSection:
    """A section of the operator console (hook ``operator_sections``).

    :param title: link text (translated by the plugin).
    :param url: the section's first page.
    :param description: one sentence on the console's home page.
    """

    title: str
    url: str
    description: str = ""
