"""The home page, the learn pages and the plan pages (form, plan, PDF, save to a person).

Each route reads a form, calls the library and renders a template with the library's result
model as the context, the same object ``--json`` prints. No patient data ever goes into a URL:
profiles are POSTed.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from scarwise.documents import parse_document
from scarwise.errors import InvalidInput, Problem
from scarwise.knowledge import load_knowledge_base
from scarwise.planner import plan as make_plan
from scarwise.web.context import Context, WebContext, html_response, page, see_other
from scarwise.web.guard import require_csrf
from scarwise.web.learn import drawing_for, learn_view
from scarwise.web.pdf import render_plan_pdf
from scarwise.web.words import plan_terms
from scarwise.workflows import save_plan

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return html_response(request, "index.html", {})


# --- learn -----------------------------------------------------------------------------------------


def _learn(request: Request, q: str, template: str) -> HTMLResponse:
    view = learn_view(load_knowledge_base(), q)
    return page(request, template, "learn", view=view, drawing=drawing_for)


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    return _learn(request, q, "learn.html")


@router.get("/learn/results", response_class=HTMLResponse)
def learn_results(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """The search results alone (htmx swaps them in as you type)."""
    return _learn(request, q, "learn_results.html")


# --- plan --------------------------------------------------------------------------------------------

_EXAMPLE_PROFILE = """{"age": 27, "fitzpatrick": 4,
 "scars": {"icepick": 12, "boxcar_shallow": 5, "rolling": 8},
 "marks": {"erythema": true},
 "budget_usd": 3000, "max_downtime_days": 7}"""

_Profile = Annotated[str, Form(max_length=100_000)]


def _profile_from_text(text: str) -> dict[str, Any]:
    data = parse_document(text, fmt="yaml", field="profile")
    if not isinstance(data, dict):
        raise InvalidInput(
            problems=[Problem("profile", "an object of profile fields", type(data).__name__)]
        )
    return data


@router.get("/plan", response_class=HTMLResponse)
def plan_start(request: Request) -> HTMLResponse:
    return page(request, "plan_start.html", "plan", example=_EXAMPLE_PROFILE)


def _plan_page(
    request: Request,
    ctx: WebContext,
    data: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    planned = make_plan(data)
    return page(
        request,
        "plan.html",
        "plan",
        plan=planned,
        profile_json=json.dumps(data, separators=(",", ":")),
        people=ctx.store.list_people().people,
        terms=plan_terms(planned),
        errors=errors or {},
        status=status,
    )


@router.post("/plan", response_class=HTMLResponse)
def plan_page(request: Request, ctx: Context, profile: _Profile) -> HTMLResponse:
    return _plan_page(request, ctx, _profile_from_text(profile))


@router.post("/plan/pdf")
def plan_pdf(ctx: Context, profile: _Profile) -> Response:
    """The plan as a PDF (WeasyPrint on the print template; no network fetches)."""
    result = make_plan(_profile_from_text(profile))
    html = ctx.templates.get_template("plan_print.html").render(plan=result)
    return Response(
        render_plan_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="scarwise-plan.pdf"'},
    )


@router.post("/plan/save", response_model=None)
def plan_save(
    request: Request,
    ctx: Context,
    profile: _Profile,
    person_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    data = _profile_from_text(profile)
    if person_id not in {p.id for p in ctx.store.list_people().people}:
        errors = {"person_id": "choose whose history to save the plan to"}
        return _plan_page(request, ctx, data, errors=errors, status=422)
    saved = save_plan(ctx.store, person_id, data).plan
    log.info("plan %s saved (person %s)", saved.id, person_id)
    return see_other(f"/people/{person_id}/plans/{saved.id}")
