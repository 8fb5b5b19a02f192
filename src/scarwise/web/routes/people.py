"""The progress pages: people, one person's dashboard, and the forms that add to their records.

Every route is one call of the tracking store (``ctx.store``); people are named by their opaque
store id, never by anything they typed. Forms that change state need the CSRF token.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from scarwise.errors import NotFound, Problem, UsageError
from scarwise.knowledge import load_knowledge_base
from scarwise.web.context import PLOT_LOCK, Context, page, see_other
from scarwise.web.dashboard import build_dashboard, plot_svg
from scarwise.web.forms import optional_number, read_upload
from scarwise.web.guard import require_csrf

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _treatment_ids() -> list[str]:
    return sorted(load_knowledge_base().treatments)


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, ctx: Context) -> HTMLResponse:
    listing = ctx.store.list_people()
    return page(request, "people.html", "people", people=listing.people)


@router.post("/people")
def add_person(ctx: Context, name: Annotated[str, Form(max_length=200)]) -> RedirectResponse:
    person = ctx.store.add_person(name).person
    log.info("person added (%s)", person.id)
    return see_other(f"/people/{person.id}")


@router.get("/people/{person_id}", response_class=HTMLResponse)
def dashboard(
    request: Request,
    ctx: Context,
    person_id: str,
    before: str | None = None,
    after: str | None = None,
) -> HTMLResponse:
    view = build_dashboard(ctx.store, person_id, before=before, after=after)
    return page(request, "dashboard.html", "people", view=view, treatments=_treatment_ids())


@router.get("/people/{person_id}/photos/{photo_id}.png")
def person_photo(ctx: Context, person_id: str, photo_id: str) -> Response:
    """A stored photo, looked up by id (never by a path from the request)."""
    record = ctx.store.photo(photo_id)
    if record.person_id != person_id:
        raise NotFound(problems=[Problem("photo", "a photo of this person", photo_id)])
    return Response(
        ctx.store.photo_png(photo_id),
        media_type="image/png",
        headers={"Content-Disposition": 'inline; filename="photo.png"'},
    )


@router.get("/people/{person_id}/plots/{name}.svg")
def person_plot(ctx: Context, person_id: str, name: str) -> Response:
    """One progress plot (``scarwise.reports.plots``) as SVG, served as an image."""
    with PLOT_LOCK:
        svg = plot_svg(ctx.store, person_id, name)
    return Response(svg, media_type="image/svg+xml")


@router.post("/people/{person_id}/photos")
def add_person_photo(
    ctx: Context,
    person_id: str,
    photo: Annotated[UploadFile, File()],
    date: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    ctx.store.add_photo_bytes(person_id, read_upload(photo), name="upload", date=date or None)
    return see_other(f"/people/{person_id}")


@router.post("/people/{person_id}/sessions")
def add_session(
    ctx: Context,
    person_id: str,
    treatment: Annotated[str, Form()],
    date: Annotated[str, Form()],
    provider: Annotated[str | None, Form(max_length=200)] = None,
    downtime_days: Annotated[str | None, Form()] = None,
    outcome_rating: Annotated[str | None, Form()] = None,
    notes: Annotated[str | None, Form(max_length=10_000)] = None,
) -> RedirectResponse:
    ctx.store.add_session(
        person_id,
        treatment,
        date=date,
        provider=provider or None,
        downtime_days=optional_number("downtime_days", downtime_days, float),
        outcome_rating=optional_number("outcome_rating", outcome_rating, int),
        notes=notes or None,
    )
    return see_other(f"/people/{person_id}#sessions")


@router.post("/people/{person_id}/regimen")
def add_regimen(
    ctx: Context,
    person_id: str,
    treatment: Annotated[str, Form()],
    frequency: Annotated[str, Form(max_length=100)],
    start: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    ctx.store.add_regimen_item(person_id, treatment, frequency, start=start or None)
    return see_other(f"/people/{person_id}#routine")


@router.post("/people/{person_id}/checkins")
def check_in(
    request: Request,
    ctx: Context,
    person_id: str,
    regimen_id: Annotated[str, Form()],
    status: Annotated[str, Form()] = "taken",
    date: Annotated[str | None, Form()] = None,
) -> Response:
    store = ctx.store
    items = {item.id for item in store.list_regimen(person_id).regimen}
    if regimen_id not in items:
        raise NotFound(
            problems=[Problem("regimen_id", "a routine step of this person", regimen_id)]
        )
    dose = store.log_dose(regimen_id, date=date or None, status=status).dose
    if request.headers.get("hx-request") == "true":  # htmx: send back the routine section only
        return page(
            request,
            "_routine.html",
            "people",
            view=build_dashboard(store, person_id),
            treatments=_treatment_ids(),
            checked_in=f"{dose.status} on {dose.date.date().isoformat()}",
        )
    return see_other(f"/people/{person_id}#routine")


@router.post("/people/{person_id}/delete")
def delete_person(
    ctx: Context, person_id: str, confirm: Annotated[str | None, Form()] = None
) -> RedirectResponse:
    if confirm != "yes":
        raise UsageError(
            problems=[
                Problem("confirm", "the box ticked to confirm deletion", confirm or "not ticked")
            ]
        )
    ctx.store.delete_person(person_id)
    log.info("person deleted (%s)", person_id)
    return see_other("/people")
