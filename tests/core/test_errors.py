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


def test_with_field_keeps_template_parameters_and_code():
    error = ValidationError("At least %(count)d characters.", field="x", code="a.b", count=3)
    moved = error.with_field("password")
    assert (moved.field, moved.template, moved.params, moved.code, moved.message) == (
        "password",
        "At least %(count)d characters.",
        {"count": 3},
        "a.b",
        "At least 3 characters.",
    )


def test_a_collector_gathers_every_error_and_raises_them_together():
    from core.errors import ErrorCollector, ValidationErrors

    def positive(value):
        if value <= 0:
            raise ValidationError("must be positive", field=f"n{value}", code="n.negative")
        return value

    errors = ErrorCollector()
    assert [errors.run(positive, 1), errors.run(positive, -1), errors.run(positive, 0)] == [
        1,
        None,
        None,
    ]
    try:
        errors.raise_any()
    except ValidationErrors as exc:
        raised = exc
    assert [e.field for e in raised.errors] == ["n-1", "n0"]
    assert (raised.field, raised.code, str(raised)) == (
        "n-1",
        "n.negative",
        "n-1: must be positive; n0: must be positive",
    )
    assert raised.as_field_errors() == {"n-1": ["must be positive"], "n0": ["must be positive"]}
    ErrorCollector().raise_any()  # nothing collected: nothing raised
