"""The self-assessment wizard's pages: one section of ``scarwise assess`` per step, then scores.

Every step is a page of its own (``GET /assess/<draft>/<n>``, ``n`` from 1); its form POSTs to
the same address and is answered with a redirect (post/redirect/get), so the browser's Back and
Reload never ask to resubmit a form. The answers given so far wait in the server's memory
(``scarwise.web.drafts``) under the draft id, not in the address; the step logic is
``scarwise.web.wizard``. The results page carries the answers in its forms, so saving them to
someone's records (an existing person, or a new one: "start tracking") works even after the
draft is gone.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from scarwise.assess import assess, load_questions
from scarwise.assess.models import Assessment
from scarwise.errors import InvalidInput
from scarwise.planner import plan as make_plan
from scarwise.web.context import Context, WebContext, page, see_other
from scarwise.web.drafts import Draft
from scarwise.web.forms import text_field
from scarwise.web.guard import require_csrf
from scarwise.web.wizard import (
    DRAWINGS,
    applicable,
    decode_answers,
    follow_ups,
    next_step,
    read_step,
    step_view,
)
from scarwise.web.words import plan_terms
from scarwise.workflows import save_self_assessment, start_tracking

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_Answers = Annotated[str, Form(max_length=20_000)]


def _owner(request: Request) -> str:
    return str(getattr(request.state, "csrf_token", ""))


def _step_url(draft: Draft, index: int) -> str:
    return f"/assess/{draft.id}/{index + 1}"


def _draft(request: Request, ctx: WebContext, draft_id: str) -> Draft | None:
    return ctx.drafts.get(draft_id, _owner(request))


def _gone(request: Request) -> HTMLResponse:
    """The page for a draft this server no longer has (restarted, expired, another browser)."""
    return page(request, "assess_gone.html", "assess", status=404)


@router.get("/assess")
def assess_start(request: Request, ctx: Context) -> RedirectResponse:
    """Start a new self-assessment: a new draft, and its first step."""
    draft = ctx.drafts.new(_owner(request))
    first = next_step({}, 0)
    assert first is not None
    return see_other(_step_url(draft, first))


@router.get("/assess/{draft_id}/result", response_class=HTMLResponse)
def assess_result(request: Request, ctx: Context, draft_id: str) -> Response:
    draft = _draft(request, ctx, draft_id)
    if draft is None:
        return _gone(request)
    try:
        result = assess(draft.answers)
    except InvalidInput as err:  # not finished, or a rule across steps: back to the step
        back_to, field_errors = _step_of_problems(err, draft.answers)
        draft.errors[back_to] = field_errors
        ctx.drafts.save(draft)
        return see_other(_step_url(draft, back_to))
    return _result_page(request, ctx, result, draft.answers, draft=draft)


@router.get("/assess/{draft_id}/plan", response_class=HTMLResponse)
def assess_plan(request: Request, ctx: Context, draft_id: str) -> Response:
    """The plan of the finished self-assessment (a page of its own, so Reload just works)."""
    draft = _draft(request, ctx, draft_id)
    if draft is None:
        return _gone(request)
    try:
        result = assess(draft.answers)
    except InvalidInput:
        return see_other(f"/assess/{draft.id}/result")
    profile = result.profile.model_dump(mode="json", exclude_none=True)
    planned = make_plan(profile)
    return page(
        request,
        "plan.html",
        "plan",
        plan=planned,
        profile_json=json.dumps(profile, separators=(",", ":")),
        people=ctx.store.list_people().people,
        terms=plan_terms(planned),
        back=(f"/assess/{draft.id}/result", "Back to your scores"),
    )


@router.get("/assess/{draft_id}/{number}", response_class=HTMLResponse)
def assess_step_page(request: Request, ctx: Context, draft_id: str, number: int) -> Response:
    draft = _draft(request, ctx, draft_id)
    if draft is None:
        return _gone(request)
    count = len(load_questions())
    index = min(max(number - 1, 0), count - 1)
    if not applicable(load_questions()[index], draft.answers):  # skipped by earlier answers
        following = next_step(draft.answers, index + 1)
        return see_other(
            _step_url(draft, following) if following is not None else f"/assess/{draft.id}/result"
        )
    if index != number - 1:
        return see_other(_step_url(draft, index))
    view = step_view(index, draft.answers, draft.errors.get(index), draft.typed.get(index))
    follow_up = draft.follow_up == index
    if follow_up:  # said once
        draft.follow_up = None
        ctx.drafts.save(draft)
    previous = next_step(draft.answers, index - 1, -1) if index > 0 else None
    return page(
        request,
        "assess.html",
        "assess",
        step=view,
        draft=draft,
        drawings=DRAWINGS,
        last=next_step(draft.answers, index + 1) is None,
        follow_up=follow_up,
        has_back=previous is not None and previous < index,
    )


@router.post("/assess/{draft_id}/{number}")
async def assess_step(request: Request, ctx: Context, draft_id: str, number: int) -> Response:
    form = await request.form()
    return await run_in_threadpool(_assess_step, request, ctx, draft_id, number, form)


def _assess_step(
    request: Request, ctx: WebContext, draft_id: str, number: int, form: Any
) -> Response:
    draft = _draft(request, ctx, draft_id)
    if draft is None:
        return _gone(request)
    index = min(max(number - 1, 0), len(load_questions()) - 1)
    lists = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    updated, typed, errors = read_step(index, draft.answers, fields, lists)
    if text_field(form, "nav") == "back":  # keep what was typed, valid or not, and go back
        draft.answers = updated
        draft.typed[index] = {k: v for k, v in typed.items() if k in errors}
        draft.errors.pop(index, None)
        ctx.drafts.save(draft)
        back = next_step(updated, index - 1, -1)
        return see_other(_step_url(draft, back if back is not None else 0))
    if errors:
        draft.errors[index] = errors
        draft.typed[index] = typed
        ctx.drafts.save(draft)
        return see_other(_step_url(draft, index))
    opened = follow_ups(index, draft.answers, updated)
    draft.answers = updated
    draft.errors.pop(index, None)
    draft.typed.pop(index, None)
    if opened:  # answers here opened a question on this very step: show it
        draft.follow_up = index
        ctx.drafts.save(draft)
        return see_other(_step_url(draft, index))
    ctx.drafts.save(draft)
    following = next_step(updated, index + 1)
    if following is not None:
        return see_other(_step_url(draft, following))
    log.info("self-assessment completed")
    return see_other(f"/assess/{draft.id}/result")


def _result_page(
    request: Request,
    ctx: WebContext,
    result: Assessment,
    answers: dict[str, Any],
    *,
    draft: Draft | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "assess_result.html",
        "assess",
        result=result,
        answers_json=json.dumps(answers, separators=(",", ":")),
        people=ctx.store.list_people().people,
        draft=draft,
        errors=errors or {},
        typed=typed or {},
        status=status,
    )


def _refuse(
    request: Request,
    ctx: WebContext,
    answers: dict[str, Any],
    field: str,
    message: str,
    **typed: str,
) -> HTMLResponse:
    """The results page again, with ``message`` next to ``field`` (422)."""
    return _result_page(
        request,
        ctx,
        assess(answers),
        answers,
        errors={field: message},
        typed=typed,
        status=422,
    )


@router.post("/assess/save", response_model=None)
def assess_save(
    request: Request,
    ctx: Context,
    answers: _Answers,
    person_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Keep the scores and the plan in an existing person's records."""
    data = decode_answers(answers)
    known = {p.id for p in ctx.store.list_people().people}
    if person_id not in known:
        return _refuse(request, ctx, data, "person_id", "choose whose records to save to")
    save_self_assessment(ctx.store, person_id, data)
    log.info("self-assessment saved (person %s)", person_id)
    return see_other(f"/people/{person_id}?done=assessment")


@router.post("/assess/track", response_model=None)
def assess_track(
    request: Request,
    ctx: Context,
    answers: _Answers,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Start tracking a new person with the self-assessment's scores and plan already kept."""
    data = decode_answers(answers)
    if not name.strip():
        return _refuse(request, ctx, data, "name", "enter a name or nickname", name=name)
    saved = start_tracking(ctx.store, name, data)
    log.info("tracking started from a self-assessment (person %s)", saved.person_id)
    return see_other(f"/people/{saved.person_id}?done=assessment")


def _step_of_problems(err: InvalidInput, answers: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """The first step holding a field ``err`` names, and the message for each of its fields."""
    named = [(p.field.removeprefix("answers."), p.expected) for p in err.problems if p.field]
    for index, section in enumerate(load_questions()):
        fields = [q.field for q in applicable(section, answers)]
        hits = {
            f: f"{expected}"
            for name, expected in named
            for f in fields
            if f == name or f.startswith(name + ".") or name.startswith(f + ".")
        }
        if hits:
            return index, hits
    raise err
