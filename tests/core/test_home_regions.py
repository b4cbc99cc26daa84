"""The home page groups tenants by Land and Kreis and stays searchable (issue 11 §3)."""

from __future__ import annotations

import re


def headings(page: str) -> list[str]:
    return re.findall(r"<h[34][^>]*>([^<]+)</h[34]>", page)


def test_the_home_page_groups_tenants_by_land_and_kreis(client, make_tenant):
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt")
    make_tenant("duelmen", "05558016", "Dülmen, Stadt")
    make_tenant("kreis-coesfeld", "05558", "Coesfeld, Kreis")
    make_tenant("mainz", "07315000", "Mainz, Stadt")

    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)

    assert headings(page) == [
        "Nordrhein-Westfalen",
        "Coesfeld",
        "Rheinland-Pfalz",
        "Mainz, kreisfreie Stadt",
    ]
    assert page.index("Coesfeld, Kreis") < page.index("Coesfeld, Stadt") < page.index("Dülmen")
    assert "Gemeinde · AGS 05558012" in page
    assert "Kreis · AGS 05558" in page


def test_the_home_page_search_narrows_the_list_without_javascript(client, make_tenant):
    make_tenant("coesfeld", "05558012", "Coesfeld, Stadt")
    make_tenant("mainz", "07315000", "Mainz, Stadt")

    page = client.get("/?q=mainz", headers={"Accept-Language": "de"}).get_data(as_text=True)

    assert headings(page) == ["Rheinland-Pfalz", "Mainz, kreisfreie Stadt"]
    assert "Coesfeld" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in page
