"""The progress pages: people, one person's dashboard, and the forms that add to their records.

Every route is one call of the tracking store (``ctx.store``); people are named by their opaque
store id, never by anything they typed. Forms that change state need the CSRF token. A form the
store refuses (a bad date, a frequency it does not know, a photo the intake gate rejects) shows
the dashboard again with the message next to the field and what was typed still in the form
(422), never an error page in its place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from scarwise.errors import InvalidInput, NotFound, Problem, UsageError
from scarwise.knowledge import load_knowledge_base
from scarwise.store import known_treatments
from scarwise.tracking.regimen import FREQUENCY_EXAMPLES, canonical_frequency
from scarwise.web.context import PLOT_LOCK, Context, WebContext, page, see_other
from scarwise.web.dashboard import build_dashboard, plot_svg
from scarwise.web.forms import field_errors, optional_number, read_upload
from scarwise.web.guard import require_csrf

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: What a ``?done=`` notice on the dashboard says after a redirect.
_DONE = {
    "assessment": "Your self-assessment's scores and plan were saved.",
    "photo-deleted": "The photo was deleted.",
    "session-deleted": "The treatment session was deleted.",
    "routine-deleted": "The routine step and its check-ins were deleted.",
}


def _treatments() -> list[tuple[str, str]]:
    """(id, name) of every treatment, by name."""
    return sorted(
        ((t.id, t.name) for t in load_knowledge_base().treatments.values()),
        key=lambda pair: pair[1].lower(),
    )


def _dashboard(
    request: Request,
    ctx: WebContext,
    person_id: str,
    *,
    forms: dict[str, dict[str, Any]] | None = None,
    done: str | None = None,
    status: int = 200,
    before: str | None = None,
    after: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "dashboard.html",
        "people",
        view=build_dashboard(ctx.store, person_id, before=before, after=after),
        treatments=_treatments(),
        frequency_examples=FREQUENCY_EXAMPLES,
        forms=forms or {},
        done=_DONE.get(done or ""),
        status=status,
    )


def _refused(
    request: Request,
    ctx: WebContext,
    person_id: str,
    form: str,
    err: InvalidInput,
    typed: dict[str, Any],
    aliases: dict[str, str] | None = None,
) -> HTMLResponse:
    """The dashboard with ``err`` shown next to the fields of ``form`` and ``typed`` kept."""
    errors = field_errors(err, typed.keys(), aliases)
    log.info("%s form refused (person %s)", form, person_id)
    forms = {form: {"errors": errors, "typed": typed}}
    return _dashboard(request, ctx, person_id, forms=forms, status=422)


def _kept(
    request: Request,
    ctx: WebContext,
    person_id: str,
    form: str,
    typed: dict[str, Any],
    write: Callable[[], Any],
    then: str,
    aliases: dict[str, str] | None = None,
) -> Response:
    """Run ``write``; on success go to ``then``, if refused show the form's errors in place."""
    ctx.store.get_person(person_id)  # an unknown person is a 404 page, not a form error
    try:
        write()
    except InvalidInput as err:
        return _refused(request, ctx, person_id, form, err, typed, aliases)
    return see_other(then)


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, ctx: Context) -> HTMLResponse:
    listing = ctx.store.list_people()
    return page(request, "people.html", "people", people=listing.people)


@router.post("/people", response_model=None)
def add_person(
    request: Request, ctx: Context, name: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if not name.strip():
        listing = ctx.store.list_people()
        return page(
            request,
            "people.html",
            "people",
            people=listing.people,
            error="enter a name or nickname",
            status=422,
        )
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
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return _dashboard(request, ctx, person_id, done=done, before=before, after=after)


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
def person_plot(
    ctx: Context,
    person_id: str,
    name: str,
    layout: Literal["wide", "narrow"] = "wide",
) -> Response:
    """One progress plot (``scarwise.reports.plots``) as SVG: shown in the page as an image and
    openable on its own (the SVG has no inline styles, so the strict CSP draws it whole)."""
    with PLOT_LOCK:
        svg = plot_svg(ctx.store, person_id, name, narrow=layout == "narrow")
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="{name}.svg"'},
    )


@router.post("/people/{person_id}/photos", response_model=None)
def add_person_photo(
    request: Request,
    ctx: Context,
    person_id: str,
    photo: Annotated[UploadFile, File()],
    date: Annotated[str | None, Form()] = None,
) -> Response:
    data = read_upload(photo)
    return _kept(
        request,
        ctx,
        person_id,
        "photo",
        {"photo": "", "date": date or ""},
        lambda: ctx.store.add_photo_bytes(person_id, data, name="upload", date=date or None),
        f"/people/{person_id}#photos",
        aliases={"upload": "photo"},
    )


@router.post("/people/{person_id}/sessions", response_model=None)
def add_session(
    request: Request,
    ctx: Context,
    person_id: str,
    treatment: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    provider: Annotated[str | None, Form(max_length=200)] = None,
    downtime_days: Annotated[str | None, Form()] = None,
    outcome_rating: Annotated[str | None, Form()] = None,
    notes: Annotated[str | None, Form(max_length=10_000)] = None,
) -> Response:
    typed = {
        "treatment": treatment,
        "date": date,
        "provider": provider or "",
        "downtime_days": downtime_days or "",
        "outcome_rating": outcome_rating or "",
        "notes": notes or "",
    }

    def write() -> None:
        if not date:
            raise InvalidInput(problems=[Problem("date", "the date of the session", "nothing")])
        ctx.store.add_session(
            person_id,
            treatment,
            date=date,
            provider=provider or None,
            downtime_days=optional_number("downtime_days", downtime_days, float),
            outcome_rating=optional_number("outcome_rating", outcome_rating, int),
            notes=notes or None,
        )

    return _kept(request, ctx, person_id, "session", typed, write, f"/people/{person_id}#sessions")


@router.post("/people/{person_id}/regimen", response_model=None)
def add_regimen(
    request: Request,
    ctx: Context,
    person_id: str,
    treatment: Annotated[str, Form()] = "",
    frequency: Annotated[str, Form(max_length=100)] = "",
    start: Annotated[str | None, Form()] = None,
) -> Response:
    typed = {"treatment": treatment, "frequency": frequency, "start": start or ""}

    def write() -> None:
        problems = []
        if treatment not in known_treatments():
            problems.append(Problem("treatment", "a step from the list", treatment))
        try:  # kept in its short form, which every version of scarwise reads
            named = canonical_frequency(frequency)
        except InvalidInput as err:
            problems += err.problems
        if problems:
            raise InvalidInput(problems=problems)
        ctx.store.add_regimen_item(person_id, treatment, named, start=start or None)

    return _kept(request, ctx, person_id, "routine", typed, write, f"/people/{person_id}#routine")


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
            treatments=_treatments(),
            frequency_examples=FREQUENCY_EXAMPLES,
            forms={},
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
