"""One person's records, each on a page of its own: a saved plan (and its PDF), a stored analysis,
the downloads (progress report, export zip), and deleting one photo, session or routine step.

Deleting asks first: the GET page shows what would go and a form that POSTs (with the CSRF
token) to the same address; the store removes the record (and a photo's file, through its
pending-deletion queue) and the browser is sent back to the dashboard.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from scarwise.errors import NotFound, Problem
from scarwise.store import export_zip
from scarwise.web.context import PLOT_LOCK, Context, WebContext, page, see_other
from scarwise.web.downloads import download
from scarwise.web.guard import require_csrf
from scarwise.web.pdf import render_plan_pdf
from scarwise.web.words import plan_terms, plural, treatment_name
from scarwise.workflows import write_progress_report

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _one(records: Any, kind: str, record_id: str, what: str) -> Any:
    for record in getattr(records, kind):
        if record.id == record_id:
            return record
    raise NotFound(problems=[Problem(what, f"a {what} of this person", record_id)])


# --- saved plans and analyses ---------------------------------------------------------------


@router.get("/people/{person_id}/plans/{plan_id}.pdf")
def saved_plan_pdf(ctx: Context, person_id: str, plan_id: str) -> Response:
    """A saved plan as a PDF, as it was saved (not planned again)."""
    saved = _one(ctx.store.records(person_id), "plans", plan_id, "plan")
    html = ctx.templates.get_template("plan_print.html").render(plan=saved.plan)
    return Response(
        render_plan_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="scarwise-plan.pdf"'},
    )


@router.get("/people/{person_id}/plans/{plan_id}", response_class=HTMLResponse)
def saved_plan(request: Request, ctx: Context, person_id: str, plan_id: str) -> HTMLResponse:
    """A saved plan, shown as it was made (the plan kept with its knowledge-base version)."""
    records = ctx.store.records(person_id)
    saved = _one(records, "plans", plan_id, "plan")
    return page(
        request,
        "plan.html",
        "people",
        plan=saved.plan,
        saved=saved,
        person=records.person,
        terms=plan_terms(saved.plan),
        back=(f"/people/{person_id}", f"Back to {records.person.name}'s progress"),
    )


@router.get("/people/{person_id}/analyses/{analysis_id}", response_class=HTMLResponse)
def saved_analysis(
    request: Request, ctx: Context, person_id: str, analysis_id: str
) -> HTMLResponse:
    """A stored colour or 3-D analysis, with links to the photos it was made from."""
    records = ctx.store.records(person_id)
    stored = _one(records, "analyses", analysis_id, "analysis")
    template = "analyze3d_result.html" if stored.kind == "analyze3d" else "analyze_result.html"
    return page(
        request,
        template,
        "people",
        result=stored.result,
        stored=stored,
        person=records.person,
        images=[],
        overlay=None,
        saved_to=None,
    )


# --- downloads ------------------------------------------------------------------------------


def _stamp(ctx: WebContext) -> str:
    return str(ctx.store.clock().date().isoformat())


@router.get("/people/{person_id}/downloads/report.{fmt}")
def progress_report(ctx: Context, person_id: str, fmt: str) -> Response:
    """The progress report (``scarwise track report``) as a web page or a PDF, to keep."""
    if fmt not in {"html", "pdf"}:
        raise NotFound(problems=[Problem("format", "html or pdf", fmt)])
    ctx.store.get_person(person_id)
    name = f"scarwise-progress-{_stamp(ctx)}.{fmt}"
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"

    def make(path: Any) -> None:
        with PLOT_LOCK:  # the plots are drawn under matplotlib's process-wide settings
            write_progress_report(ctx.store, person_id, path)

    log.info("progress report downloaded (person %s)", person_id)
    return download(make, name, media)


@router.get("/people/{person_id}/downloads/export.zip")
def person_export(ctx: Context, person_id: str) -> Response:
    """One person's records and photos as an export zip (``scarwise track export``)."""
    ctx.store.get_person(person_id)
    log.info("export downloaded (person %s)", person_id)
    return download(
        lambda path: export_zip(ctx.store, path, [person_id]),
        f"scarwise-export-{_stamp(ctx)}.zip",
        "application/zip",
    )


@router.get("/downloads/export.zip")
def everyone_export(ctx: Context) -> Response:
    """Everyone's records and photos as one export zip."""
    log.info("export of everyone downloaded")
    return download(
        lambda path: export_zip(ctx.store, path),
        f"scarwise-export-{_stamp(ctx)}.zip",
        "application/zip",
    )


# --- deleting one record --------------------------------------------------------------------


def _confirm(
    request: Request,
    person: Any,
    *,
    title: str,
    details: list[str],
    action: str,
    button: str,
    cancel: str,
    image: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "confirm_delete.html",
        "people",
        person=person,
        title=title,
        details=details,
        action=action,
        button=button,
        cancel=cancel,
        image=image,
    )


@router.get("/people/{person_id}/photos/{photo_id}/delete", response_class=HTMLResponse)
def confirm_delete_photo(
    request: Request, ctx: Context, person_id: str, photo_id: str
) -> HTMLResponse:
    records = ctx.store.records(person_id)
    photo = _one(records, "photos", photo_id, "photo")
    used = [a for a in records.analyses if photo_id in a.photo_ids]
    details = [
        f"Taken on {photo.date.date().isoformat()}, {photo.width_px} × {photo.height_px} px."
    ]
    if used:
        details.append(
            f"{plural(len(used), 'analysis', 'analyses')} made from it "
            f"{'stays' if len(used) == 1 else 'stay'}, without the photo."
        )
    base = f"/people/{person_id}"
    return _confirm(
        request,
        records.person,
        title="Delete this photo?",
        details=details,
        action=f"{base}/photos/{photo_id}/delete",
        button="Delete photo",
        cancel=f"{base}#photos",
        image=f"{base}/photos/{photo_id}.png",
    )


@router.post("/people/{person_id}/photos/{photo_id}/delete")
def delete_photo(ctx: Context, person_id: str, photo_id: str) -> RedirectResponse:
    ctx.store.delete_photo(photo_id, person_id=person_id)
    log.info("photo deleted (person %s)", person_id)
    return see_other(f"/people/{person_id}?done=photo-deleted#photos")


@router.get("/people/{person_id}/sessions/{session_id}/delete", response_class=HTMLResponse)
def confirm_delete_session(
    request: Request, ctx: Context, person_id: str, session_id: str
) -> HTMLResponse:
    records = ctx.store.records(person_id)
    session = _one(records, "sessions", session_id, "session")
    base = f"/people/{person_id}"
    return _confirm(
        request,
        records.person,
        title="Delete this treatment session?",
        details=[
            f"{treatment_name(session.treatment)} on {session.date.date().isoformat()}"
            + (f", {session.provider}" if session.provider else "")
            + "."
        ],
        action=f"{base}/sessions/{session_id}/delete",
        button="Delete session",
        cancel=f"{base}#sessions",
    )


@router.post("/people/{person_id}/sessions/{session_id}/delete")
def delete_session(ctx: Context, person_id: str, session_id: str) -> RedirectResponse:
    ctx.store.delete_session(session_id, person_id=person_id)
    log.info("session deleted (person %s)", person_id)
    return see_other(f"/people/{person_id}?done=session-deleted#sessions")


@router.get("/people/{person_id}/regimen/{regimen_id}/delete", response_class=HTMLResponse)
def confirm_delete_routine(
    request: Request, ctx: Context, person_id: str, regimen_id: str
) -> HTMLResponse:
    records = ctx.store.records(person_id)
    item = _one(records, "regimen", regimen_id, "routine step")
    taken = [d for d in records.doses if d.regimen_id == regimen_id]
    base = f"/people/{person_id}"
    return _confirm(
        request,
        records.person,
        title="Delete this routine step?",
        details=[
            f"{treatment_name(item.treatment)}, since {item.start.date().isoformat()}.",
            f"Its {plural(len(taken), 'check-in')} {'goes' if len(taken) == 1 else 'go'} too.",
        ],
        action=f"{base}/regimen/{regimen_id}/delete",
        button="Delete routine step",
        cancel=f"{base}#routine",
    )


@router.post("/people/{person_id}/regimen/{regimen_id}/delete")
def delete_routine(ctx: Context, person_id: str, regimen_id: str) -> RedirectResponse:
    ctx.store.delete_regimen_item(regimen_id, person_id=person_id)
    log.info("routine step deleted (person %s)", person_id)
    return see_other(f"/people/{person_id}?done=routine-deleted#routine")
