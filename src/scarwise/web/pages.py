"""Server-rendered pages (Jinja2 + htmx): assessment wizard, plan, photo analysis, progress, learn.

Each route reads a form, calls the library and renders a template with the library's result
model as the context, the same object ``--json`` prints. Routes that change state require the
CSRF token (:func:`require_csrf`). No patient data ever goes into a URL: forms are POSTed and
people are named by their opaque store id.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from scarwise.errors import Forbidden, InvalidInput, NotFound, Problem, UsageError
from scarwise.web.app import html_response
from scarwise.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, csrf_matches

__all__ = ["require_csrf", "router"]

log = logging.getLogger("scarwise.web")
_MATPLOTLIB = threading.Lock()


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the cookie's (403)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), submitted):
        raise Forbidden(
            "this form has expired or did not come from scarwise (CSRF check failed)",
            hint="reload the page and try again",
        )


router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return html_response(request, "index.html", {})


def _page(request: Request, template: str, active: str, **context: Any) -> HTMLResponse:
    return html_response(request, template, {"active": active, **context})


# --- progress: people and their dashboard ---------------------------------------------------------


def _store(request: Request) -> Any:
    return request.app.state.ctx.store


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _treatment_ids() -> list[str]:
    from scarwise.store import known_treatments

    return sorted(known_treatments())


@router.get("/people", response_class=HTMLResponse)
def people(request: Request) -> HTMLResponse:
    listing = _store(request).list_people()
    return _page(request, "people.html", "people", people=listing.people)


@router.post("/people")
def add_person(request: Request, name: Annotated[str, Form(max_length=200)]) -> RedirectResponse:
    person = _store(request).add_person(name).person
    log.info("person added (%s)", person.id)
    return _see_other(f"/people/{person.id}")


@router.get("/people/{person_id}", response_class=HTMLResponse)
def dashboard(
    request: Request, person_id: str, before: str | None = None, after: str | None = None
) -> HTMLResponse:
    from scarwise.web.dashboard import build_dashboard

    view = build_dashboard(_store(request), person_id, before=before, after=after)
    return _page(request, "dashboard.html", "people", view=view, treatments=_treatment_ids())


@router.get("/people/{person_id}/photos/{photo_id}.png")
def person_photo(request: Request, person_id: str, photo_id: str) -> Response:
    """A stored photo, looked up by id (never by a path from the request)."""
    store = _store(request)
    record = store.photo(photo_id)
    if record.person_id != person_id:
        raise NotFound(problems=[Problem("photo", "a photo of this person", photo_id)])
    return Response(
        store.photo_png(photo_id),
        media_type="image/png",
        headers={"Content-Disposition": 'inline; filename="photo.png"'},
    )


@router.get("/people/{person_id}/plots/{name}.svg")
def person_plot(request: Request, person_id: str, name: str) -> Response:
    """One progress plot (``scarwise.reports.plots``) as SVG, served as an image."""
    from scarwise.web.dashboard import plot_svg

    with _MATPLOTLIB:  # matplotlib rc_context is process-global
        svg = plot_svg(_store(request), person_id, name)
    return Response(svg, media_type="image/svg+xml")


@router.post("/people/{person_id}/photos")
def add_person_photo(
    request: Request,
    person_id: str,
    photo: Annotated[UploadFile, File()],
    date: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    photo.file.seek(0)
    data = photo.file.read()
    _store(request).add_photo_bytes(person_id, data, name="upload", date=date or None)
    return _see_other(f"/people/{person_id}")


@router.post("/people/{person_id}/sessions")
def add_session(
    request: Request,
    person_id: str,
    treatment: Annotated[str, Form()],
    date: Annotated[str, Form()],
    provider: Annotated[str | None, Form(max_length=200)] = None,
    downtime_days: Annotated[str | None, Form()] = None,
    outcome_rating: Annotated[str | None, Form()] = None,
    notes: Annotated[str | None, Form(max_length=10_000)] = None,
) -> RedirectResponse:
    _store(request).add_session(
        person_id,
        treatment,
        date=date,
        provider=provider or None,
        downtime_days=_optional_number("downtime_days", downtime_days, float),
        outcome_rating=_optional_number("outcome_rating", outcome_rating, int),
        notes=notes or None,
    )
    return _see_other(f"/people/{person_id}#sessions")


@router.post("/people/{person_id}/regimen")
def add_regimen(
    request: Request,
    person_id: str,
    treatment: Annotated[str, Form()],
    frequency: Annotated[str, Form(max_length=100)],
    start: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    _store(request).add_regimen_item(person_id, treatment, frequency, start=start or None)
    return _see_other(f"/people/{person_id}#routine")


@router.post("/people/{person_id}/checkins")
def check_in(
    request: Request,
    person_id: str,
    regimen_id: Annotated[str, Form()],
    status: Annotated[str, Form()] = "taken",
    date: Annotated[str | None, Form()] = None,
) -> Response:
    store = _store(request)
    items = {item.id for item in store.list_regimen(person_id).regimen}
    if regimen_id not in items:
        raise NotFound(
            problems=[Problem("regimen_id", "a routine step of this person", regimen_id)]
        )
    dose = store.log_dose(regimen_id, date=date or None, status=status).dose
    if request.headers.get("hx-request") == "true":  # htmx: send back the routine section only
        from scarwise.web.dashboard import build_dashboard

        view = build_dashboard(store, person_id)
        return _page(
            request,
            "_routine.html",
            "people",
            view=view,
            treatments=_treatment_ids(),
            checked_in=f"{dose.status} on {dose.date.date().isoformat()}",
        )
    return _see_other(f"/people/{person_id}#routine")


@router.post("/people/{person_id}/delete")
def delete_person(
    request: Request, person_id: str, confirm: Annotated[str | None, Form()] = None
) -> RedirectResponse:
    if confirm != "yes":
        raise UsageError(
            problems=[
                Problem("confirm", "the box ticked to confirm deletion", confirm or "not ticked")
            ]
        )
    _store(request).delete_person(person_id)
    log.info("person deleted (%s)", person_id)
    return _see_other("/people")


def _optional_number(field: str, text: str | None, kind: type[int] | type[float]) -> Any:
    if text is None or not text.strip():
        return None
    try:
        return kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise InvalidInput(problems=[Problem(field, what, text)]) from None


# --- learn -----------------------------------------------------------------------------------------


def _learn(request: Request, q: str, template: str) -> HTMLResponse:
    from scarwise.knowledge import load_knowledge_base
    from scarwise.web.learn import drawing_for, learn_view

    view = learn_view(load_knowledge_base(), q)
    return _page(request, template, "learn", view=view, drawing=drawing_for)


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


def _profile_from_text(text: str) -> dict[str, Any]:
    from scarwise.documents import parse_document

    data = parse_document(text, fmt="yaml", field="profile")
    if not isinstance(data, dict):
        raise InvalidInput(
            problems=[Problem("profile", "an object of profile fields", type(data).__name__)]
        )
    return data


def _render_plan(request: Request, profile: dict[str, Any]) -> HTMLResponse:
    import scarwise

    result = scarwise.plan(profile)
    people = _store(request).list_people().people
    return _page(
        request,
        "plan.html",
        "plan",
        plan=result,
        profile_json=json.dumps(profile, separators=(",", ":")),
        people=people,
    )


@router.get("/plan", response_class=HTMLResponse)
def plan_start(request: Request) -> HTMLResponse:
    return _page(request, "plan_start.html", "plan", example=_EXAMPLE_PROFILE)


@router.post("/plan", response_class=HTMLResponse)
def plan_page(request: Request, profile: Annotated[str, Form(max_length=100_000)]) -> HTMLResponse:
    return _render_plan(request, _profile_from_text(profile))


@router.post("/plan/pdf")
def plan_pdf(request: Request, profile: Annotated[str, Form(max_length=100_000)]) -> Response:
    """The plan as a PDF (WeasyPrint on the print template; no network fetches)."""
    import scarwise
    from scarwise.web.pdf import render_plan_pdf

    result = scarwise.plan(_profile_from_text(profile))
    templates = request.app.state.ctx.templates
    html = templates.get_template("plan_print.html").render(plan=result)
    return Response(
        render_plan_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="scarwise-plan.pdf"'},
    )


@router.post("/plan/save")
def plan_save(
    request: Request,
    profile: Annotated[str, Form(max_length=100_000)],
    person_id: Annotated[str, Form(max_length=64)],
) -> RedirectResponse:
    saved = _store(request).save_plan(person_id, _profile_from_text(profile)).plan
    log.info("plan %s saved (person %s)", saved.id, person_id)
    return _see_other(f"/people/{person_id}")


# --- self-assessment wizard --------------------------------------------------------------------------


def _render_step(
    request: Request, view: Any, answers: dict[str, Any], *, follow_up: bool = False
) -> HTMLResponse:
    from scarwise.web.wizard import DRAWINGS, next_step

    last = next_step(answers, view.index + 1) is None
    return _page(
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
    from scarwise.web.wizard import next_step, step_view

    first = next_step({}, 0)
    assert first is not None
    return _render_step(request, step_view(first, {}), {})


@router.post("/assess", response_class=HTMLResponse)
async def assess_step(request: Request) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    return await run_in_threadpool(_assess_step, request, form)


def _assess_step(request: Request, form: Any) -> HTMLResponse:
    from scarwise.assess import assess, load_questions
    from scarwise.web.wizard import decode_answers, follow_ups, next_step, read_step, step_view

    answers = decode_answers(_text_field(form, "answers"))
    count = len(load_questions())
    try:
        index = int(_text_field(form, "step") or "0")
    except ValueError:
        index = 0
    index = min(max(index, 0), count - 1)
    if _text_field(form, "nav") == "back":
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
    return _page(
        request,
        "assess_result.html",
        "assess",
        result=result,
        profile_json=json.dumps(result.profile.model_dump(mode="json"), separators=(",", ":")),
        answers_json=json.dumps(updated, separators=(",", ":")),
        people=_store(request).list_people().people,
        scale_names={
            "fitzpatrick": "Skin type (Fitzpatrick)",
            "ecca": "ECCA scar score",
            "gb-qualitative": "Goodman & Baron grade",
        },
    )


@router.post("/assess/save")
def assess_save(
    request: Request,
    answers: Annotated[str, Form(max_length=20_000)],
    person_id: Annotated[str, Form(max_length=64)],
) -> RedirectResponse:
    from scarwise.assess import assess
    from scarwise.web.wizard import decode_answers

    result = assess(decode_answers(answers))
    store = _store(request)
    for scale, scored in result.scores.items():
        store.record_assessment(person_id, scale, scored.to_json_dict())
    return _see_other(f"/people/{person_id}")


def _step_of_problems(err: InvalidInput, answers: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """The first step holding a field ``err`` names, and the message for each of its fields."""
    from scarwise.assess import load_questions
    from scarwise.web.wizard import applicable

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


def _text_field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


# --- photo analysis ----------------------------------------------------------------------------------


@router.get("/analyze", response_class=HTMLResponse)
def analyze_start(request: Request) -> HTMLResponse:
    return _page(request, "analyze.html", "analyze", people=_store(request).list_people().people)


def _person_or_none(request: Request, person_id: str | None) -> Any:
    return _store(request).get_person(person_id) if person_id else None


@router.post("/analyze", response_class=HTMLResponse)
def analyze_page(
    request: Request,
    photo: Annotated[UploadFile, File()],
    region: Annotated[Literal["auto", "face", "full"], Form()] = "auto",
    pixel_mm: Annotated[str | None, Form()] = None,
    person_id: Annotated[str | None, Form(max_length=64)] = None,
) -> HTMLResponse:
    from scarwise.imaging import analyze_photo, render_overlay
    from scarwise.intake import IntakeLimits, read_photo

    settings = request.app.state.ctx.settings
    person = _person_or_none(request, person_id)
    data = _upload_bytes(photo)
    image = read_photo(data, limits=IntakeLimits.from_settings(settings), name="photo")
    result = analyze_photo(image, region=region, pixel_mm=_positive("pixel_mm", pixel_mm))
    overlay = _b64(render_overlay(image, result))
    if person is not None:
        store = _store(request)
        photos = store.add_photo_bytes(person.id, data, name="photo").photos
        store.record_analysis(person.id, result.to_json_dict(), photo_ids=[p.id for p in photos])
        log.info("colour analysis saved (person %s)", person.id)
    return _page(
        request, "analyze_result.html", "analyze", result=result, overlay=overlay, saved_to=person
    )


@router.post("/analyze3d", response_class=HTMLResponse)
def analyze3d_page(
    request: Request,
    images: Annotated[list[UploadFile], File()],
    lights: Annotated[str, Form(max_length=100_000)],
    pixel_mm: Annotated[str, Form()],
    person_id: Annotated[str | None, Form(max_length=64)] = None,
) -> HTMLResponse:
    from scarwise.documents import parse_document
    from scarwise.imaging import analyze_scars_3d, depth_image_png, overlay_png, parse_lights
    from scarwise.intake import IntakeLimits, read_photo

    settings = request.app.state.ctx.settings
    person = _person_or_none(request, person_id)
    if len(images) < 3:
        raise InvalidInput(problems=[Problem("images", "3 or more photos", len(images))])
    names = [f.filename or f"image{i}" for i, f in enumerate(images)]
    blobs = [_upload_bytes(f) for f in images]
    limits = IntakeLimits.from_settings(settings)
    photos = [read_photo(b, limits=limits, name=f"image{i}") for i, b in enumerate(blobs)]
    light_set = parse_lights(parse_document(lights, fmt="json", field="lights"), names)
    size_mm = _positive("pixel_mm", pixel_mm)
    if size_mm is None:
        raise InvalidInput(problems=[Problem("pixel_mm", "a number greater than 0", "nothing")])
    result = analyze_scars_3d(photos, light_set, size_mm)
    with _MATPLOTLIB:  # pyplot keeps global state: one rendering at a time
        shown = [
            ("Scars outlined and numbered", _b64(overlay_png(result, photos[0].pixels))),
            ("Depth below the surrounding skin", _b64(depth_image_png(result))),
        ]
    if person is not None:
        store = _store(request)
        saved = store.add_photo_bytes(person.id, blobs[0], name="image0").photos
        store.record_analysis(person.id, result.to_json_dict(), photo_ids=[p.id for p in saved])
        log.info("3-D analysis saved (person %s)", person.id)
    return _page(
        request, "analyze3d_result.html", "analyze", result=result, images=shown, saved_to=person
    )


def _upload_bytes(upload: UploadFile) -> bytes:
    """An upload's bytes (already bounded by the body-size limit)."""
    upload.file.seek(0)
    return upload.file.read()


def _positive(field: str, text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(problems=[Problem(field, "a number greater than 0", text)]) from None
    if not (0 < value < 1000):
        raise InvalidInput(problems=[Problem(field, "a number greater than 0", value)])
    return value


def _b64(png: bytes) -> str:
    """PNG bytes for a ``data:`` URL (the result is shown once and never stored under a path)."""
    return base64.b64encode(png).decode("ascii")
