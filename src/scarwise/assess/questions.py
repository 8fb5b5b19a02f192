"""The question definitions (``data/questions.yaml``), loaded strictly, and which ones apply.

Asking is I/O and lives at the CLI edge (``scarwise.cli.assess``); this module only reads the
definitions and decides, from the answers so far, whether a question is asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scarwise.assess.models import Question, Section
from scarwise.errors import InvalidInput, from_validation_error
from scarwise.knowledge.loader import strict_safe_load

__all__ = [
    "applies",
    "demo_answers_path",
    "get_path",
    "load_questions",
    "set_path",
    "should_ask",
    "site_rows",
]


def _data_dir() -> Path:
    return Path(str(resources.files("scarwise.assess") / "data"))


def demo_answers_path() -> Path:
    """The bundled answers file used by ``scarwise demo``."""
    return _data_dir() / "demo-answers.yaml"


@lru_cache(maxsize=1)
def load_questions() -> tuple[Section, ...]:
    """The questionnaire's sections in order (cached)."""
    raw = strict_safe_load((_data_dir() / "questions.yaml").read_text(encoding="utf-8"))
    try:
        return tuple(Section.model_validate(s) for s in raw["sections"])
    except ValidationError as err:
        raise from_validation_error(err, cls=InvalidInput, prefix="questions.yaml") from err


def get_path(answers: dict[str, Any], dotted: str) -> Any:
    node: Any = answers
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(answers: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = answers
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def should_ask(question_ask_if: str | None, ask_if_any: list[str], answers: dict[str, Any]) -> bool:
    """Asked unless its ``ask_if`` answer is falsy/0 or none of its ``ask_if_any`` answers is truthy."""
    if question_ask_if is not None and not get_path(answers, question_ask_if):
        return False
    return not (ask_if_any and not any(get_path(answers, f) for f in ask_if_any))


def applies(question: Question, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is asked given the answers so far (every condition it names holds)."""
    if not should_ask(question.ask_if, list(question.ask_if_any), answers):
        return False
    for field, allowed in question.ask_if_in.items():
        if get_path(answers, field) not in allowed:
            return False
    if question.ask_if_several is not None:
        value = get_path(answers, question.ask_if_several)
        if not isinstance(value, list) or len(value) < 2:
            return False
    return True


#: Scar types a ``sites`` question places, as the questionnaire counts them, with plain labels.
_SITE_TYPES = (
    ("icepick", "narrow, deep pits (icepick)"),
    ("boxcar", "steep-edged dents (boxcar)"),
    ("rolling", "broad, wavy dips (rolling)"),
    ("hypertrophic", "raised scars (hypertrophic)"),
    ("keloid", "scars grown beyond the spot (keloid)"),
    ("papular", "small skin-coloured bumps (papular)"),
)


def site_rows(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The scar types counted so far (more than 0), as (answer key, label) pairs: what a
    ``sites`` question asks about."""
    data = dict(answers)
    return [(key, label) for key, label in _SITE_TYPES if get_path(data, f"scars.{key}")]
