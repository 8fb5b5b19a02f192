"""The self-assessment wizard's logic: the ``scarwise assess`` questions, one section per step.

The questions are :func:`scarwise.assess.load_questions` (the same data the command line asks),
and :func:`scarwise.assess.should_ask` decides which apply. This module only reads one step's
form into the answers (:func:`read_step`) and finds the next step with something to ask
(:func:`next_step`); :func:`scarwise.assess.assess` turns the answers into scores at the end.
The answers travel in a hidden form field between steps, so the server keeps no state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scarwise.assess import applies, load_questions
from scarwise.assess.questions import get_path, set_path, site_rows
from scarwise.errors import InvalidInput, Problem

__all__ = [
    "DRAWINGS",
    "StepView",
    "applicable",
    "decode_answers",
    "follow_ups",
    "next_step",
    "read_step",
    "site_rows",
    "step_view",
]

#: question field -> drawing (static/drawings/*.svg) shown beside it.
DRAWINGS: Mapping[str, str] = {
    "scars.icepick": "icepick",
    "scars.boxcar": "boxcar_shallow",
    "scars.boxcar_deep": "boxcar_deep",
    "scars.rolling": "rolling",
    "scars.hypertrophic": "hypertrophic",
    "scars.keloid": "keloid",
    "scars.papular": "papular",
    "marks.erythema": "erythema",
    "marks.hyperpigmentation": "hyperpigmentation",
    "marks.hypopigmentation": "hypopigmentation",
    "visibility.flatten_on_stretch": "stretch-test",
}
_MAX_ANSWERS_CHARS = 20_000


@dataclass(frozen=True)
class StepView:
    """One step of the wizard as the template shows it."""

    index: int
    count: int
    section: Any
    questions: list[Any]
    values: dict[str, Any]
    errors: dict[str, str]
    #: for each ``sites`` question: the scar types to place, as (answer key, label) pairs
    rows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: the regions chosen so far (the places a ``sites`` question offers)
    regions: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * (self.index + 1) / self.count)


def _sections() -> tuple[Any, ...]:
    return load_questions()


def _get(answers: Mapping[str, Any], dotted: str) -> Any:
    return get_path(dict(answers), dotted)


def _set(answers: dict[str, Any], dotted: str, value: Any) -> None:
    set_path(answers, dotted, value)


def decode_answers(text: str | None) -> dict[str, Any]:
    """The answers carried in the hidden form field (``{}`` when there are none)."""
    if not text:
        return {}
    if len(text) > _MAX_ANSWERS_CHARS:
        raise InvalidInput(
            problems=[Problem("answers", f"at most {_MAX_ANSWERS_CHARS} characters", len(text))]
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            problems=[Problem("answers", "the wizard's JSON answers", "malformed JSON")]
        ) from err
    if not isinstance(data, dict):
        raise InvalidInput(problems=[Problem("answers", "an object", type(data).__name__)])
    return data


def applicable(section: Any, answers: Mapping[str, Any]) -> list[Any]:
    """The questions of ``section`` that apply given the answers so far."""
    return [q for q in section.questions if applies(q, dict(answers))]


def next_step(answers: Mapping[str, Any], start: int, direction: int = 1) -> int | None:
    """The first step from ``start`` (going ``direction``) with a question to ask; None past the end."""
    sections = _sections()
    index = start
    while 0 <= index < len(sections):
        if applicable(sections[index], answers):
            return index
        index += direction
    return None if direction > 0 else next_step(answers, 0)


def step_view(
    index: int,
    answers: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    submitted: Mapping[str, Any] | None = None,
) -> StepView:
    """What to show for step ``index`` (``submitted`` values win over stored answers)."""
    sections = _sections()
    section = sections[index]
    questions = applicable(section, answers)
    values = {q.field: _get(answers, q.field) for q in questions}
    if submitted:
        values.update(submitted)
    rows = {q.field: site_rows(answers) for q in questions if q.kind == "sites"}
    regions = [r for r in (_get(answers, "regions") or []) if isinstance(r, str)]
    return StepView(
        index, len(sections), section, questions, values, dict(errors or {}), rows, regions
    )


def read_step(
    index: int, answers: dict[str, Any], form: Mapping[str, Any], lists: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Read step ``index``'s questions from a submitted form.

    Returns the updated answers, the raw submitted values (to show again) and the error per field
    (empty when the step is complete and valid).
    """
    section = _sections()[index]
    updated = json.loads(json.dumps(answers))
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in applicable(section, answers):
        if q.kind == "sites":
            regions = [r for r in (_get(answers, "regions") or []) if isinstance(r, str)]
            sites: dict[str, list[str]] = {}
            for key, _label in site_rows(answers):
                chosen = [c for c in lists.get(f"{q.field}.{key}", []) if c in regions]
                raw[f"{q.field}.{key}"] = chosen
                if not chosen:
                    errors[q.field] = "tick at least one place for each kind of scar"
                sites[key] = chosen
            if q.field not in errors:
                _set(updated, q.field, sites)
            continue
        if q.kind in ("list", "flags"):
            chosen = list(lists.get(q.field, []))
            raw[q.field] = chosen
            allowed = {str(c.value): c.value for c in q.choices}
            if not chosen and q.kind == "list":
                errors[q.field] = "choose at least one"
            elif any(c not in allowed for c in chosen):
                errors[q.field] = "choose from the options shown"
            else:
                _set(updated, q.field, [allowed[c] for c in chosen])
            continue
        text = form.get(q.field)
        text = text.strip() if isinstance(text, str) else ""
        raw[q.field] = text
        value, error = _parse(q, text)
        if error:
            errors[q.field] = error
        else:
            _set(updated, q.field, value)
    return updated, raw, errors


def follow_ups(index: int, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Questions of step ``index`` that the step's own answers just made applicable.

    A question can depend on one asked earlier in the same section (``scars.boxcar_deep`` asks
    about ``scars.boxcar``); the wizard shows the step again with it rather than skip it.
    """
    section = _sections()[index]
    asked = {q.field for q in applicable(section, before)}
    return [q.field for q in applicable(section, after) if q.field not in asked]


def _parse(q: Any, text: str) -> tuple[Any, str | None]:
    if q.kind == "int":
        if not text:
            return None, "enter a whole number"
        try:
            value = int(text)
        except ValueError:
            return None, "enter a whole number"
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else 10**6
        if not low <= value <= high:
            return None, f"enter a whole number from {low} to {high}"
        return value, None
    if q.kind == "bool":
        if text not in {"yes", "no"}:
            return None, "choose yes or no"
        return text == "yes", None
    if q.kind == "choice":
        for choice in q.choices:
            if str(choice.value) == text:
                return choice.value, None
        return None, "choose one of the options"
    if q.kind in {"money", "days", "months"}:
        if not text:
            return None, None
        try:
            number = float(text) if q.kind in ("money", "months") else int(text)
        except ValueError:
            return None, "enter a number, or leave it empty for no limit"
        if q.kind == "months" and not 0 <= number <= 1200:
            return None, "enter a number of months from 0 to 1200, or leave it empty"
        if number < 0:
            return None, "enter 0 or more, or leave it empty for no limit"
        return number, None
    return None, f"unsupported question kind {q.kind}"
