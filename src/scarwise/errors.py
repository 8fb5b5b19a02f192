"""The scarwise exception tree and the one map from errors to codes, exit codes and HTTP statuses.

Every error a user can meet is a :class:`ScarwiseError`. It carries every problem found (not only
the first) as :class:`Problem` rows of ``field``/``expected``/``got`` and an optional ``hint``.
The command line and the web app never decide codes themselves: they call :func:`to_payload`,
:func:`exit_code_for` and :func:`http_status_for`.

::

    ScarwiseError                      code            exit  HTTP
    ├── UsageError                     usage           2     400
    │   ├── AuthRequired               usage           2     401
    │   ├── Forbidden                  usage           2     403
    │   ├── MethodNotAllowed           usage           2     405
    │   └── MissingExtra               usage           2     500
    ├── InvalidInput                   invalid_input   3     422
    │   ├── ProfileError               invalid_input   3     422
    │   ├── PhotoRejected              invalid_input   3     422
    │   └── UploadTooLarge             invalid_input   3     413
    ├── NotFound                       not_found       4     404
    └── InternalError                  internal        1     500
        └── SafetyViolation            internal        1     500

Any other exception is an internal error: exit 1, HTTP 500, a generic message and a request id,
never its text (it could hold patient data).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "AuthRequired",
    "Forbidden",
    "InternalError",
    "InvalidInput",
    "MethodNotAllowed",
    "MissingExtra",
    "NotFound",
    "PhotoRejected",
    "Problem",
    "ProfileError",
    "SafetyViolation",
    "ScarwiseError",
    "UploadTooLarge",
    "UsageError",
    "exit_code_for",
    "from_validation_error",
    "http_status_for",
    "to_payload",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: which field, what was expected, what came."""

    field: str
    expected: str
    got: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "expected": self.expected, "got": _jsonable(self.got)}

    def sentence(self, prefix: str = "") -> str:
        where = f"{prefix}.{self.field}" if prefix and self.field else (self.field or prefix)
        got = _short_repr(self.got)
        return (
            f"{where}: expected {self.expected}, got {got}"
            if where
            else f"expected {self.expected}, got {got}"
        )


class ScarwiseError(Exception):
    """Base of every error scarwise raises on purpose."""

    code: ClassVar[str] = "internal"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str | None = None,
        *,
        problems: Iterable[Problem] = (),
        hint: str | None = None,
        prefix: str = "",
    ) -> None:
        self.problems: list[Problem] = list(problems)
        self.hint = hint
        self.prefix = prefix
        if message is None:
            message = (
                "; ".join(p.sentence(prefix) for p in self.problems) or self.__class__.__name__
            )
        self.message = message
        super().__init__(message)


class UsageError(ScarwiseError):
    """The command or request itself is wrong: unknown command or option, missing argument."""

    code = "usage"
    exit_code = 2
    http_status = 400


class AuthRequired(UsageError):
    """Clinic mode: the request carries no valid login."""

    http_status = 401


class Forbidden(UsageError):
    """Clinic mode: the user's role does not allow this."""

    http_status = 403


class MethodNotAllowed(UsageError):
    """HTTP only: the path exists but not for this method."""

    http_status = 405


class MissingExtra(UsageError):
    """An optional part of scarwise (an extra) is not installed; the hint names it."""

    http_status = 500


class InvalidInput(ScarwiseError):
    """The input was read but its content is wrong."""

    code = "invalid_input"
    exit_code = 3
    http_status = 422


class ProfileError(InvalidInput):
    """A patient profile does not follow ``contracts/profile.md``."""


class PhotoRejected(InvalidInput):
    """The intake gate refused an image: unsupported, malformed, hostile or too large."""


class UploadTooLarge(InvalidInput):
    """An upload is over the configured byte limit."""

    http_status = 413


class NotFound(ScarwiseError):
    """A named file, person, record or scale does not exist."""

    code = "not_found"
    exit_code = 4
    http_status = 404


class InternalError(ScarwiseError):
    """A bug: something scarwise should never do."""


class SafetyViolation(InternalError):
    """A contraindicated treatment reached a plan; the plan is not emitted."""


GENERIC_INTERNAL_MESSAGE = "internal error: this is a bug in scarwise; please report it"


def exit_code_for(exc: BaseException) -> int:
    """The process exit code for an exception (0 is success and never returned here)."""
    return exc.exit_code if isinstance(exc, ScarwiseError) else 1


def http_status_for(exc: BaseException) -> int:
    """The HTTP status for an exception."""
    return exc.http_status if isinstance(exc, ScarwiseError) else 500


def to_payload(exc: BaseException, *, request_id: str | None = None) -> dict[str, Any]:
    """The contract's error object ``{"ok": false, "error": {code, message, errors}}``.

    Unexpected exceptions give a generic message (their text may hold patient data).
    """
    if isinstance(exc, ScarwiseError):
        error: dict[str, Any] = {
            "code": exc.code,
            "message": exc.message,
            "errors": [p.as_dict() for p in exc.problems],
        }
        if exc.hint:
            error["hint"] = exc.hint
    else:
        error = {"code": "internal", "message": GENERIC_INTERNAL_MESSAGE, "errors": []}
    if request_id is not None:
        error["request_id"] = request_id
    return {"ok": False, "error": error}


def from_validation_error(
    err: Any,
    *,
    cls: type[InvalidInput] = InvalidInput,
    prefix: str = "",
    loc_prefix: Sequence[str] = (),
) -> InvalidInput:
    """Turn a :class:`pydantic.ValidationError` into an :class:`InvalidInput` listing every problem."""
    problems = []
    for item in err.errors(include_url=False):
        loc = [*loc_prefix, *(str(part) for part in item.get("loc", ()))]
        problems.append(
            Problem(
                field=".".join(loc),
                expected=_expected_from_pydantic(item),
                got=_got_from_pydantic(item),
            )
        )
    return cls(problems=problems, prefix=prefix)


_MISSING = "(missing)"


def _got_from_pydantic(item: dict[str, Any]) -> Any:
    if item.get("type") == "missing":
        return _MISSING
    return item.get("input")


def _expected_from_pydantic(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    simple = {
        "missing": "a value (this field is required)",
        "extra_forbidden": "no such field (unknown key)",
        "int_type": "an integer",
        "int_parsing": "an integer",
        "int_from_float": "an integer",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "string_type": "a string",
        "dict_type": "an object",
        "model_type": "an object",
        "model_attributes_type": "an object",
        "list_type": "a list",
        "date_type": "a date (YYYY-MM-DD)",
        "date_parsing": "a date (YYYY-MM-DD)",
        "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
        "datetime_type": "an ISO 8601 date-time",
        "datetime_parsing": "an ISO 8601 date-time",
        "datetime_from_date_parsing": "an ISO 8601 date-time",
        "finite_number": "a finite number",
    }
    if kind in simple:
        return simple[kind]
    bounds = {
        "greater_than_equal": ("ge", "a number ≥ {}"),
        "greater_than": ("gt", "a number > {}"),
        "less_than_equal": ("le", "a number ≤ {}"),
        "less_than": ("lt", "a number < {}"),
    }
    if kind in bounds:
        key, text = bounds[kind]
        return text.format(ctx.get(key))
    if kind in {"literal_error", "enum"}:
        return f"one of {ctx.get('expected', '')}".strip()
    msg = str(item.get("msg", "a valid value"))
    if msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def _jsonable(value: Any) -> Any:
    """``value`` if it is strict JSON (no NaN or Infinity), else a short text for it."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return _short_repr(value)
    return value


def _short_repr(value: Any, limit: int = 80) -> str:
    if value == _MISSING:
        return "nothing"
    text = json.dumps(value) if _is_json(value) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True
