"""The self-assessment wizard's pages: one section of ``scarwise assess`` per step, then scores.

The step logic is ``scarwise.web.wizard``; the answers travel in a hidden form field, so the
server keeps no state until the person saves the result to someone's records.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarwise.assess import assess, load_questions
from scarwise.errors import InvalidInput
from scarwise.web.context import Context, WebContext, page, see_other
from scarwise.web.forms import text_field
from scarwise.web.guard import require_csrf
from scarwise.web.wizard import (
    DRAWINGS,
    StepView,
    applicable,
    decode_answers,
    follow_ups,
    next_step,
    read_step,
    step_view,
)
from scarwise.workflows import record_assessment

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_SCALE_NAMES = {
    "fitzpatrick": "Skin type (Fitzpatrick)",
    "ecca": "ECCA scar score",
    "gb-qualitative": "Goodman & Baron grade",
}


def _render_step(
    request: Request, view: StepView, answers: dict[str, Any], *, follow_up: bool = False
) -> HTMLResponse:
    last = next_step(answers, view.index + 1) is None
    return page(
        request,
        "assess.html",
        "assess",
        step=view,
        answers_json=json.dumps(answers, separators=(",", ":")),
        drawings=DRAWINGS,
        last=last,
        follow_up=follow_up,
    )


@router.get("/assess", response_class=HTMLResponse)
def assess_start(request: Request) -> HTMLResponse:
    first = next_step({}, 0)
    assert first is not None
    return _render_step(request, step_view(first, {}), {})


@router.post("/assess", response_class=HTMLResponse)
async def assess_step(request: Request, ctx: Context) -> HTMLResponse:
    form = await request.form()
    return await run_in_threadpool(_assess_step, request, ctx, form)


def _assess_step(request: Request, ctx: WebContext, form: Any) -> HTMLResponse:
    answers = decode_answers(text_field(form, "answers"))
    count = len(load_questions())
    try:
        index = int(text_field(form, "step") or "0")
    except ValueError:
        index = 0
    index = min(max(index, 0), count - 1)
    if text_field(form, "nav") == "back":
        back = next_step(answers, index - 1, -1)
        return _render_step(request, step_view(back if back is not None else 0, answers), answers)
    lists = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    updated, raw, errors = read_step(index, answers, fields, lists)
    if errors:
        return _render_step(request, step_view(index, answers, errors, raw), answers)
    if follow_ups(index, answers, updated):  # answers here opened a question on this very step
        return _render_step(request, step_view(index, updated, {}, raw), updated, follow_up=True)
    following = next_step(updated, index + 1)
    if following is not None:
        return _render_step(request, step_view(following, updated), updated)
    try:
        result = assess(updated)
    except InvalidInput as err:  # a rule across steps (e.g. deep boxcar within boxcar): back to it
        back_to, field_errors = _step_of_problems(err, updated)
        return _render_step(request, step_view(back_to, updated, field_errors), updated)
    log.info("self-assessment completed")
    return page(
        request,
        "assess_result.html",
        "assess",
        result=result,
        profile_json=json.dumps(result.profile.model_dump(mode="json"), separators=(",", ":")),
        answers_json=json.dumps(updated, separators=(",", ":")),
        people=ctx.store.list_people().people,
        scale_names=_SCALE_NAMES,
    )


@router.post("/assess/save")
def assess_save(
    ctx: Context,
    answers: Annotated[str, Form(max_length=20_000)],
    person_id: Annotated[str, Form(max_length=64)],
) -> RedirectResponse:
    result = assess(decode_answers(answers))
    for scale, scored in result.scores.items():
        record_assessment(ctx.store, person_id, scale, scored.to_json_dict())
    return see_other(f"/people/{person_id}")


def _step_of_problems(err: InvalidInput, answers: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """The first step holding a field ``err`` names, and the message for each of its fields."""
    for index, section in enumerate(load_questions()):
        fields = [q.field for q in applicable(section, answers)]
        hits = {
            f: f"{p.expected}"
            for p in err.problems
            for f in fields
            if p.field and (f == p.field or f.startswith(p.field + "."))
        }
        if hits:
            return index, hits
    raise err
