"""A service's field errors said in the product's words, naming the input (issue 18, point 5)."""
from gateway.portal.backend import Answer
from gateway.portal.errors_in_words import field_sentences, problem


def test_a_bad_address_in_a_list_is_named_by_position_and_what_was_typed():
    errors = {"emails": {"1": ["Not a valid email address."]}}
    assert field_sentences(errors, {"emails": ["a@example.com", "x@"]}) == [
        "The second email address, 'x@', is not a valid email address."]


def test_validator_messages_become_sentences_about_the_field():
    assert field_sentences({"description": ["Length must be between 10 and 1024."]}) == [
        "The description must be 10 to 1024 characters long."]
    assert field_sentences({"name": ["Missing data for required field."]}) == ["The name is missing."]


def test_a_refusal_without_field_errors_uses_the_codes_words_never_a_raw_dict():
    said = problem(Answer(409, {"code": "use_case_exists", "detail": "exists"}))
    assert said == "You already have a use case with this name."
    said = problem(Answer(422, {"code": "validation_error", "errors": {"emails": {"0": ["Not a valid email address."]}}}))
    assert "{" not in said and said.startswith("The first email address")
