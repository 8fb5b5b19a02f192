"""Server-rendered pages (Jinja2 + htmx): assessment wizard, plan, photo analysis, progress, learn.

Each route reads a form, calls the library and renders a template with the library's result
model as the context, the same object ``--json`` prints. Routes that change state require the
CSRF token (:func:`require_csrf`). No patient data ever goes into a URL: forms are POSTed and
people are named by their opaque store id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from scarwise.errors import Forbidden
from scarwise.web.app import html_response
from scarwise.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, csrf_matches

__all__ = ["require_csrf", "router"]


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


Csrf = Annotated[None, Depends(require_csrf)]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return html_response(request, "index.html", {})


def _page(request: Request, template: str, active: str, **context: Any) -> HTMLResponse:
    return html_response(request, template, {"active": active, **context})
