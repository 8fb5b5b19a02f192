"""Every error as the contract's error object (JSON under ``/api/``) or the plain error page.

:data:`EXCEPTION_HANDLERS` are FastAPI's exception handlers: scarwise's own errors, request
validation (in pydantic's shape, turned into :class:`~scarwise.errors.InvalidInput` with every
problem listed) and Starlette's HTTP errors (404, 405, 413, ...). :func:`error_response` is the
one place an answer is made, through :func:`scarwise.errors.to_payload` and
:func:`scarwise.errors.http_status_for`; the guard (``scarwise.web.guard``) calls it too for an
exception nothing else caught. An unexpected exception is logged by its type and the request
id only, never by its text, which may hold patient data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from scarwise.errors import (
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    ScarwiseError,
    UsageError,
    from_validation_error,
    http_status_for,
    to_payload,
)
from scarwise.web.context import ServerBusy, WebContext
from scarwise.web.guard import json_safe, too_large_error

__all__ = ["EXCEPTION_HANDLERS", "error_response", "request_id_of"]

log = logging.getLogger("scarwise.web")

_Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


def request_id_of(request: Request) -> str | None:
    """The id the guard gave this request."""
    return getattr(request.state, "request_id", None)


def error_response(request: Request, exc: BaseException, *, status: int | None = None) -> Response:
    """The answer to ``exc``: the error object under ``/api/``, else the error page
    (``status`` overrides the error's own HTTP status)."""
    status = status or http_status_for(exc)
    rid = request_id_of(request)
    payload = json_safe(to_payload(exc, request_id=rid))  # a refused NaN is reported as text
    if status >= 500:
        if getattr(request.app.state, "debug", False):
            log.exception("internal error (request %s)", rid, exc_info=exc)
        else:
            log.error("internal error %s (request %s)", type(exc).__name__, rid)
    response: Response
    if request.url.path.startswith("/api/"):
        response = JSONResponse(payload, status_code=status)
    else:
        ctx: WebContext = request.app.state.ctx
        context = {"error": payload["error"], "status": status, "csrf_token": ""}
        if status == 413:
            context["too_large"] = _too_large_words(exc, ctx)
        response = ctx.templates.TemplateResponse(
            request, "error.html", context, status_code=status
        )
    return response


def _too_large_words(exc: BaseException, ctx: WebContext) -> dict[str, str]:
    """What a too-large upload's page says: the limit in words, what to do (no byte counts,
    no setting names: those are for the person running the server, in the error object)."""
    problems = getattr(exc, "problems", [])
    if any("pixel" in str(p.expected) for p in problems):
        budget = ctx.settings.max_analysis_pixels
        return {
            "text": "The photos together have more pixels than one analysis may use: at most "
            f"{budget} pixels in all ({budget / 1e6:g} million).",
            "advice": "Crop the photos to the scarred area, or send fewer or smaller ones.",
        }
    return {
        "text": "The file you sent is larger than scarwise accepts: at most "
        f"{_bytes_in_words(ctx.settings.max_upload_bytes)} per photo.",
        "advice": "Send a smaller photo: crop it to the scarred area, or save or share it at a "
        "smaller size (phones offer this when sharing a photo). Nothing was kept.",
    }


def _bytes_in_words(count: int) -> str:
    """``52428800`` -> ``50 MB``, ``50000`` -> ``49 KB`` (binary units, as file managers show)."""
    if count >= 1024 * 1024:
        return f"{round(count / (1024 * 1024), 1):g} MB"
    return f"{max(1, round(count / 1024))} KB"


async def _scarwise_error(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, from_validation_error(_ValidationErrors(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    err: ScarwiseError
    status = None
    if isinstance(exc, ServerBusy):
        err, status = exc.error, exc.status_code
    elif exc.status_code == 404:
        err = NotFound(f"{request.url.path}: no such page or endpoint")
    elif exc.status_code == 413:
        err = too_large_error(getattr(exc, "limit", 0))
    elif exc.status_code == 422:
        err = InvalidInput(str(exc.detail))
    elif exc.status_code == 405:
        err = MethodNotAllowed(f"{request.method} {request.url.path}: method not allowed")
    else:
        err = UsageError(str(exc.detail))
    response = error_response(request, err, status=status)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


#: Exception class -> handler, for ``FastAPI(exception_handlers=...)``.
EXCEPTION_HANDLERS: dict[int | type[Exception], _Handler] = {
    ScarwiseError: _scarwise_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
}


class _ValidationErrors:
    """Adapter: FastAPI's request-validation errors in pydantic's ``errors()`` shape."""

    def __init__(self, exc: RequestValidationError) -> None:
        self.items = list(exc.errors())

    def errors(self, include_url: bool = False) -> list[dict[str, Any]]:
        rows = []
        for item in self.items:
            loc = list(item.get("loc", ()))
            if loc and loc[0] in {"body", "path", "query", "header", "cookie"}:
                loc = loc[1:] or [loc[0]]
            if item.get("type") == "json_invalid":
                reason = (item.get("ctx") or {}).get("error", "malformed JSON")
                where = item["loc"][1] if len(item.get("loc", ())) > 1 else "?"
                got = f"{reason} at character {where}"
                rows.append(
                    {
                        "type": "json_invalid",
                        "loc": ("body",),
                        "msg": "well-formed JSON",
                        "input": got,
                    }
                )
                continue
            rows.append({**item, "loc": tuple(loc)})
        return rows
