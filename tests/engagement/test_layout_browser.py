"""The under-16 parent fields render as full text inputs, not as 20 px boxes."""

from __future__ import annotations


def test_parent_fields_are_as_wide_as_the_other_text_inputs(browser, live_server, coesfeld):
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{live_server}/coesfeld/engagement/register")

    parent = page.locator("#parent_name").bounding_box()
    parent_email = page.locator("#parent_email").bounding_box()
    name = page.locator("#display_name").bounding_box()
    page.close()

    assert parent["width"] > 200
    assert parent_email["width"] > 200
    assert parent["height"] > 25
    assert abs(parent["height"] - name["height"]) < 2
