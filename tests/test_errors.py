"""The one error map: every class gets the contract's code, exit code and HTTP status."""

from __future__ import annotations

import json

import pytest

from scarwise import errors as e

TABLE = [
    (e.UsageError, "usage", 2, 400),
    (e.AuthRequired, "usage", 2, 401),
    (e.Forbidden, "usage", 2, 403),
    (e.MethodNotAllowed, "usage", 2, 405),
    (e.MissingExtra, "usage", 2, 500),
    (e.InvalidInput, "invalid_input", 3, 422),
    (e.ProfileError, "invalid_input", 3, 422),
    (e.PhotoRejected, "invalid_input", 3, 422),
    (e.UploadTooLarge, "invalid_input", 3, 413),
    (e.NotFound, "not_found", 4, 404),
    (e.InternalError, "internal", 1, 500),
    (e.SafetyViolation, "internal", 1, 500),
]


@pytest.mark.parametrize(("cls", "code", "exit_code", "status"), TABLE)
def test_map(cls: type[e.ScarwiseError], code: str, exit_code: int, status: int) -> None:
    err = cls(problems=[e.Problem("fitzpatrick", "an integer from 1 to 6", 9)], prefix="profile")
    assert (e.exit_code_for(err), e.http_status_for(err)) == (exit_code, status)
    payload = e.to_payload(err)
    assert payload == {
        "ok": False,
        "error": {
            "code": code,
            "message": "profile.fitzpatrick: expected an integer from 1 to 6, got 9",
            "errors": [{"field": "fitzpatrick", "expected": "an integer from 1 to 6", "got": 9}],
        },
    }


def test_every_error_class_is_in_the_table() -> None:
    def subclasses(cls: type) -> set[type]:
        return {cls} | {s for sub in cls.__subclasses__() for s in subclasses(sub)}

    assert subclasses(e.ScarwiseError) - {e.ScarwiseError} == {row[0] for row in TABLE}


def test_unexpected_exception_is_generic() -> None:
    payload = e.to_payload(KeyError("secret name"), request_id="abc")
    assert payload["error"] == {
        "code": "internal",
        "message": e.GENERIC_INTERNAL_MESSAGE,
        "errors": [],
        "request_id": "abc",
    }
    assert (e.exit_code_for(KeyError()), e.http_status_for(KeyError())) == (1, 500)


def test_unserialisable_got_is_shown_as_text() -> None:
    row = e.Problem("photo", "an image", object()).as_dict()
    assert isinstance(row["got"], str)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_got_that_is_not_a_finite_number_stays_strict_json(value: float) -> None:
    payload = e.to_payload(e.InvalidInput(problems=[e.Problem("age", "an integer", value)]))
    text = json.dumps(payload, allow_nan=False)  # raises if NaN or Infinity slipped through
    assert json.loads(text)["error"]["errors"][0]["got"] in {"nan", "inf", "-inf"}
