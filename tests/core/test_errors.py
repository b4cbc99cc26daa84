"""Domain errors: English templates with parameters, shown in the page's language."""

from __future__ import annotations

from core.errors import ConflictError, NotFoundError, ValidationError


def test_the_message_is_the_template_filled_with_its_parameters():
    error = ValidationError("At least %(count)d characters.", field="password", count=12)
    assert (error.message, str(error)) == (
        "At least 12 characters.",
        "password: At least 12 characters.",
    )
    assert error.as_field_errors() == {"password": ["At least 12 characters."]}


def test_a_template_without_parameters_is_taken_literally():
    assert ValidationError("100 % of the share", field="share").message == "100 % of the share"


def test_each_error_class_has_a_default_code_a_raise_site_can_override():
    assert (ValidationError("x").code, NotFoundError("x").code, ConflictError("x").code) == (
        "invalid",
        "not_found",
        "conflict",
    )
    assert ValidationError("x", code="postcode.unknown").code == "postcode.unknown"
    assert ValidationError("y").code == "invalid"


def test_localized_uses_the_request_language(app):
    error = ValidationError("At least %(count)d characters.", field="password", count=12)
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert error.localized() == "Mindestens 12 Zeichen."
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert error.localized() == "At least 12 characters."
