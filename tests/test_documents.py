"""Documents from files and forms: every malformed or hostile one is invalid input, never a crash."""

from __future__ import annotations

import pytest

from scarwise.documents import parse_document
from scarwise.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("[" * 3000, "json"),
        ("a: " + "[" * 3000, "yaml"),
        ("a: " + "{x: " * 3000, "yaml"),
        ("", "yaml"),
    ],
)
def test_hostile_documents_are_invalid_input(text: str, fmt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_document(text, fmt=fmt, field="profile")
    assert caught.value.problems[0].field == "profile"


def test_plain_documents_still_parse() -> None:
    assert parse_document('{"age": 30}', fmt="json") == {"age": 30}
    assert parse_document("age: 30\nregions: [face]\n", fmt="yaml") == {
        "age": 30,
        "regions": ["face"],
    }


def test_odd_numbers_are_left_to_the_model_that_names_the_field() -> None:
    data = parse_document('{"age": NaN, "size": 1e400}', fmt="json")
    assert data["age"] != data["age"] and data["size"] == float("inf")
