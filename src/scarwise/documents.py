"""Read a JSON or YAML document from a file path or standard input (``-``).

The format follows the extension (``.yaml``/``.yml`` is YAML, anything else and ``-`` is JSON).
YAML is read with ``safe_load`` only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.intake.json_gate import read_json

__all__ = ["load_document", "parse_document"]


def load_document(path: str | Path, *, field: str = "input") -> Any:
    """Read and parse ``path`` (``"-"`` is standard input) as JSON or YAML."""
    name = str(path)
    if name == "-":
        text = sys.stdin.read()
        return parse_document(text, fmt="json", source="<stdin>", field=field)
    p = Path(name)
    if not p.is_file():
        raise NotFound(
            f"{field}: file not found: {name}", problems=[Problem(field, "an existing file", name)]
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInput(
            problems=[Problem(field, "UTF-8 text (JSON or YAML)", "undecodable bytes")]
        ) from err
    fmt = "yaml" if p.suffix.lower() in {".yaml", ".yml"} else "json"
    return parse_document(text, fmt=fmt, source=name, field=field)


def parse_document(text: str, *, fmt: str, source: str = "<input>", field: str = "input") -> Any:
    """Parse JSON or YAML text; empty or malformed text is :class:`InvalidInput`."""
    if not text.strip():
        raise InvalidInput(problems=[Problem(field, f"a {fmt.upper()} document", "an empty file")])
    if fmt != "yaml":
        # size and depth refused here; odd numbers (NaN, 1e400) by the model, which names the field
        return read_json(text, field=field, strict_numbers=False)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        at = f" at line {where.line + 1} column {where.column + 1}" if where is not None else ""
        raise InvalidInput(problems=[Problem(field, "valid YAML", f"malformed YAML{at}")]) from err
    except RecursionError as err:  # PyYAML composes nested collections recursively
        raise InvalidInput(
            problems=[Problem(field, "YAML nested less deeply", "too deep to read")]
        ) from err
