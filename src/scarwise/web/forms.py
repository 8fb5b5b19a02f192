"""Form fields and uploads read into typed values, or refused with the contract's problems.

Small helpers the routers share: every refusal is an :class:`~scarwise.errors.InvalidInput`
naming the field, what was expected and what came.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from fastapi import UploadFile

from scarwise.errors import InvalidInput, PhotoRejected, Problem, ScarwiseError

__all__ = [
    "FORM_WIDE",
    "field_errors",
    "json_field",
    "optional_number",
    "positive",
    "read_upload",
    "text_field",
]

#: The key of :func:`field_errors` for a problem that belongs to no one field.
FORM_WIDE = "_form"


def read_upload(upload: UploadFile) -> bytes:
    """An upload's bytes (the guard has already bounded their size)."""
    upload.file.seek(0)
    return upload.file.read()


def json_field(field: str, text: str) -> Any:
    """The JSON value in a form field."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        got = f"malformed JSON at line {err.lineno}, column {err.colno}"
        raise InvalidInput(problems=[Problem(field, "JSON text", got)]) from err


def optional_number(field: str, text: str | None, kind: type[int] | type[float]) -> Any:
    """An optional whole number (``kind=int``) or number; None for an empty field."""
    if text is None or not text.strip():
        return None
    try:
        return kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise InvalidInput(problems=[Problem(field, what, text)]) from None


def positive(field: str, text: str | None) -> float | None:
    """An optional number greater than 0 and below 1000; None for an empty field."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(problems=[Problem(field, "a number greater than 0", text)]) from None
    if not (0 < value < 1000):
        raise InvalidInput(problems=[Problem(field, "a number greater than 0", value)])
    return value


def text_field(form: Any, name: str) -> str | None:
    """A text field of a parsed form (None when missing or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def field_errors(
    err: ScarwiseError, fields: Collection[str], aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    """An error as sentences to show next to a form's fields: field name -> message.

    A problem naming a field of ``fields`` (directly or through ``aliases``: the intake gate
    calls a photo ``upload``) goes next to it; any other under :data:`FORM_WIDE`.
    """
    out: dict[str, str] = {}
    for problem in err.problems:
        name = (aliases or {}).get(problem.field or "", problem.field or "")
        key = name if name in fields else FORM_WIDE
        if isinstance(err, PhotoRejected):
            text = "This file was not accepted: " + _without_field(err.message)
        else:
            got = "" if problem.got in (None, "") else f" (you entered “{problem.got}”)"
            text = f"Please enter {problem.expected}{got}."
        out[key] = f"{out[key]} {text}" if key in out and out[key] != text else text
    if not out:
        out[FORM_WIDE] = _without_field(err.message)
    return out


def _without_field(message: str) -> str:
    """``upload: not a supported image ...`` -> ``not a supported image ...``."""
    head, sep, rest = message.partition(": ")
    return rest if sep and " " not in head else message
