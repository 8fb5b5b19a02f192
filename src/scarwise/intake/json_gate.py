"""The JSON gate: untrusted JSON text parsed within limits, or refused with a clear error.

``json.loads`` on its own accepts ``NaN`` and ``Infinity`` (which are not JSON), turns ``1e400``
into infinity, recurses until Python's stack runs out on a few thousand nested arrays
(``RecursionError``), and builds whatever a small, highly compressed archive expands to: a 1.8 MB
zip can hold a JSON document of 1.8 GB, and a few hundred MB of ``[{},{},...`` become gigabytes of
Python objects. :func:`read_json` therefore

1. caps the size in bytes before anything is parsed;
2. measures the nesting depth and counts the values on the raw bytes (strings blanked out with
   one regular expression, brackets counted with numpy in fixed-size chunks), so a document
   that would be too deep or too big is refused before a single Python object is built;
3. parses with hooks that refuse ``NaN``/``Infinity``, numbers that overflow to infinity and
   integers beyond 64 bits.

Every refusal is an :class:`~scarwise.errors.InvalidInput` naming the field. Written by hand
because the standard library has no limits and no maintained pure-Python parser does both the
limits and the exact ``json`` semantics the rest of scarwise relies on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from scarwise.errors import InvalidInput, Problem

__all__ = ["JsonLimits", "json_shape", "read_json"]

_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_CHUNK: Final = 1 << 20
_OPEN: Final = (ord("["), ord("{"))
_CLOSE: Final = (ord("]"), ord("}"))
_MAX_INT: Final = 2**63 - 1


@dataclass(frozen=True)
class JsonLimits:
    """The caps applied to an untrusted JSON document.

    Attributes
    ----------
    max_bytes
        Largest accepted document, in bytes (default 32 MiB: an export of several years of daily
        records for dozens of people).
    max_depth
        Deepest nesting of arrays and objects (default 64; scarwise's own documents stay
        below 15).
    max_values
        Most array elements and object members in the whole document (default 2,000,000).
    """

    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 64
    max_values: int = 2_000_000


def json_shape(data: bytes) -> tuple[int, int]:
    """The nesting depth and an upper bound of the number of values of a JSON document.

    Strings are blanked out first (brackets and commas inside them do not count), then every
    ``[``/``{`` opens a level and every ``]``/``}`` closes one. The count is commas plus
    containers plus one: at least the number of array elements and object members. Memory
    stays at the document's size plus one fixed-size chunk.
    """
    bare = _STRING.sub(b'""', data)
    values = bare.count(b",") + bare.count(b"[") + bare.count(b"{") + 1
    codes = np.frombuffer(bare, dtype=np.uint8)
    level = 0
    deepest = 0
    for start in range(0, codes.size, _CHUNK):
        chunk = codes[start : start + _CHUNK]
        step = np.zeros(chunk.size, dtype=np.int64)
        for code in _OPEN:
            step += chunk == code
        for code in _CLOSE:
            step -= chunk == code
        running = np.cumsum(step) + level
        deepest = max(deepest, int(running.max()))
        level = int(running[-1])
    return deepest, values


def read_json(
    data: bytes | str,
    *,
    limits: JsonLimits = JsonLimits(),
    field: str = "body",
    strict_numbers: bool = True,
) -> Any:
    """Parse untrusted JSON within ``limits``.

    Parameters
    ----------
    data
        The document, as bytes (UTF-8) or text.
    limits
        Size, depth and value caps.
    field
        How the document is named in error messages.
    strict_numbers
        Refuse ``NaN``, ``Infinity`` and out-of-range numbers here (default). ``False`` leaves
        them to the model that validates the document, which can name the exact field.

    Raises
    ------
    InvalidInput
        Too large, too deep, too many values, not UTF-8, malformed, or holding ``NaN``,
        ``Infinity``, a number too large for a double or an integer beyond 64 bits.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise InvalidInput(
            problems=[Problem(field, f"at most {limits.max_bytes} bytes of JSON", len(raw))]
        )
    depth, values = json_shape(raw)
    problems = []
    if depth > limits.max_depth:
        problems.append(
            Problem(field, f"JSON nested at most {limits.max_depth} levels deep", depth)
        )
    if values > limits.max_values:
        problems.append(Problem(field, f"JSON with at most {limits.max_values} values", values))
    if problems:
        raise InvalidInput(problems=problems)
    try:
        text = raw.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as err:
        raise InvalidInput(
            problems=[Problem(field, "well-formed JSON", "bytes that are not UTF-8")]
        ) from err
    try:
        if not strict_numbers:
            return json.loads(text)
        return json.loads(
            text,
            parse_constant=lambda name: _refuse(field, name),
            parse_float=lambda literal: _finite(field, literal),
            parse_int=lambda literal: _bounded(field, literal),
        )
    except json.JSONDecodeError as err:
        got = f"{err.msg} at line {err.lineno} column {err.colno}"
        raise InvalidInput(problems=[Problem(field, "well-formed JSON", got)]) from err
    except RecursionError as err:  # pragma: no cover - the depth check comes first
        raise InvalidInput(
            problems=[Problem(field, "JSON nested less deeply", "too deep")]
        ) from err


# The hooks below run inside ``json.loads``, which lets their exceptions through unchanged.


def _refuse(field: str, name: str) -> Any:
    raise InvalidInput(
        problems=[Problem(field, "a finite number (JSON has no NaN or Infinity)", name)]
    )


def _finite(field: str, literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise InvalidInput(problems=[Problem(field, "a number a double can hold", literal[:40])])
    return value


def _bounded(field: str, literal: str) -> int:
    if len(literal.lstrip("-")) > 19 or abs(int(literal)) > _MAX_INT:
        raise InvalidInput(problems=[Problem(field, "an integer within 64 bits", literal[:40])])
    return int(literal)
