"""The web app factory: :func:`create_app` wires settings, middleware, error handlers and routes.

Routes only translate between HTTP and the library (``api.py`` for JSON, ``pages.py`` for HTML);
every error becomes the contract's error object (JSON under ``/api/``) or a plain error page,
through :func:`scarwise.errors.to_payload` and :func:`scarwise.errors.http_status_for`.
Unexpected exceptions are logged by type and request id only, never by their text.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from scarwise._version import __version__
from scarwise.config import Settings
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
from scarwise.web.plan_direct import PLAN_PATH, PlanDirect
from scarwise.web.security import (
    BodyLimitMiddleware,
    CsrfCookieMiddleware,
    HostAllowlistMiddleware,
    SecurityHeadersMiddleware,
    allowed_hosts_for,
    body_limit_for,
    host_allowlist,
    too_large_error,
)

__all__ = ["WebContext", "create_app"]

log = logging.getLogger("scarwise.web")

_HERE = Path(__file__).parent
_TEMPLATES = _HERE / "templates"
_STATIC = _HERE / "static"

# Bytes allowed in a JSON or form body; photo routes get Settings.max_upload_bytes per photo.
_FORM_LIMIT = 1024 * 1024
_MAX_3D_IMAGES = 16


class WebContext:
    """What every route needs: the settings, the templates and (opened on first use) the store."""

    def __init__(self, settings: Settings, store: Any = None) -> None:
        self.settings = settings
        self._store = store
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=True,  # every template, whatever its name
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals["scarwise_version"] = __version__
        env.filters["day"] = _day
        env.filters["num"] = _num
        env.globals["active"] = ""
        self.templates = Jinja2Templates(env=env)

    @property
    def store_kind(self) -> str:
        """``sqlite`` or ``postgresql``, from the store URL's scheme."""
        scheme = self.settings.store_url.split(":", 1)[0].split("+", 1)[0]
        return "postgresql" if scheme.startswith("postgres") else scheme

    @cached_property
    def store(self) -> Any:
        """The tracking store, opened once (``scarwise.store.open_store``)."""
        if self._store is None:
            from scarwise.store import open_store

            self._store = open_store(self.settings.store_url, settings=self.settings)
        return self._store

    def close(self) -> None:
        store = self.__dict__.get("store") or self._store
        close = getattr(store, "close", None)
        if callable(close):
            close()


def _day(value: Any) -> str:
    """A date or date-time as ``YYYY-MM-DD`` (empty for nothing)."""
    if value is None:
        return ""
    iso = getattr(value, "isoformat", None)
    return str(iso())[:10] if callable(iso) else str(value)[:10]


def _num(value: Any) -> str:
    """A number without a useless ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def create_app(
    settings: Settings | None = None,
    *,
    bind_host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] | None = None,
    store: Any = None,
    debug: bool = False,
) -> FastAPI:
    """Build the scarwise web app.

    Parameters
    ----------
    settings
        Data dir, store URL and upload limits (default: read from ``SCARWISE_*``).
    bind_host
        The address the server binds; it and the loopback names are the allowed ``Host`` values.
    allowed_hosts
        Extra ``Host`` header values to answer (e.g. the machine's LAN name).
    store
        An already open store (tests); default: opened from ``settings`` on first use.
    debug
        Log tracebacks of internal errors (never sent to the client).
    """
    settings = settings or Settings()
    ctx = WebContext(settings, store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = _ScarwiseApp(
        title="scarwise",
        version=__version__,
        summary="Assess acne scars, plan cited treatment, track progress - on your own computer.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN; the OpenAPI JSON is enough
        redoc_url=None,
        lifespan=lifespan,
        **_telemetry_off(),
    )
    app.state.ctx = ctx
    app.state.debug = debug

    from scarwise.web import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    _install_error_handlers(app)
    # add_middleware puts each new one outermost: this is innermost-first.
    app.add_middleware(
        _CatchAllMiddleware, render=lambda request, exc: _error_response(request, exc)
    )
    upload = settings.max_upload_bytes + 64 * 1024
    limits = {
        "/api/v1/analyze3d": upload * _MAX_3D_IMAGES,
        "/api/v1/analyze": upload,
        "/analyze3d": upload * _MAX_3D_IMAGES,
        "/analyze": upload,
        "/people/": upload,
    }
    app.add_middleware(BodyLimitMiddleware, default_limit=_FORM_LIMIT, limits=limits)
    app.add_middleware(CsrfCookieMiddleware)
    hosts = allowed_hosts_for(bind_host, allowed_hosts or ())
    app.add_middleware(HostAllowlistMiddleware, allowed_hosts=hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    app.plan_direct = PlanDirect(
        allowed_hosts=host_allowlist(hosts),
        limit=body_limit_for(PLAN_PATH, _FORM_LIMIT, limits),
    )
    return app


def _telemetry_off() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry switched off, where the installed FastAPI has it.

    FastAPI 0.16x records every request as spans, metrics and logs (with exception messages),
    and exports them when the process has an OpenTelemetry provider or the environment asks
    (``FASTAPI_OTEL_AUTO_CONFIGURE``, ``OTEL_EXPORTER_OTLP_ENDPOINT``). scarwise serves health
    data and sends nothing anywhere, so it is off whatever the environment says.
    """
    import inspect

    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    off = {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}
    return {"telemetry": off}


class _ScarwiseApp(FastAPI):
    """The FastAPI app, with successful plans answered by :class:`PlanDirect` (issue 8).

    Every other request, and every plan request the direct path does not answer, goes through
    FastAPI as usual (``scarwise.web.plan_direct`` says exactly which).
    """

    plan_direct: PlanDirect | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        direct = self.plan_direct
        if direct is not None and direct.takes(scope):
            replay = await direct(scope, receive, send)
            if replay is None:
                return
            receive = replay
        await super().__call__(scope, receive, send)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def request_id_of(request: Request) -> str | None:
    """The id :class:`SecurityHeadersMiddleware` gave this request."""
    return getattr(request.state, "request_id", None)


def _error_response(request: Request, exc: BaseException) -> Response:
    status = http_status_for(exc)
    rid = request_id_of(request)
    payload = to_payload(exc, request_id=rid)
    if status >= 500:
        if request.app.state.debug:
            log.exception("internal error (request %s)", rid, exc_info=exc)
        else:
            log.error("internal error %s (request %s)", type(exc).__name__, rid)
    if _is_api(request):
        return JSONResponse(payload, status_code=status)
    ctx: WebContext = request.app.state.ctx
    return ctx.templates.TemplateResponse(
        request,
        "error.html",
        {"error": payload["error"], "status": status, "csrf_token": ""},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    async def scarwise_error(request: Request, exc: Exception) -> Response:
        return _error_response(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _error_response(request, _from_request_validation(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        err: ScarwiseError
        if exc.status_code == 404:
            err = NotFound(f"{request.url.path}: no such page or endpoint")
        elif exc.status_code == 413:
            err = too_large_error(getattr(exc, "limit", 0))
        elif exc.status_code == 422:
            err = InvalidInput(str(exc.detail))
        elif exc.status_code == 405:
            err = MethodNotAllowed(f"{request.method} {request.url.path}: method not allowed")
        else:
            err = UsageError(str(exc.detail))
        response = _error_response(request, err)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    app.add_exception_handler(ScarwiseError, scarwise_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


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


def _from_request_validation(exc: RequestValidationError) -> InvalidInput:
    return from_validation_error(_ValidationErrors(exc))


class _CatchAllMiddleware:
    """Last resort: any exception that escapes a route becomes a generic 500 with a request id."""

    def __init__(
        self, app: ASGIApp, *, render: Callable[[Request, BaseException], Response]
    ) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # the one catch-all: reported by request id, never its text
            if started:
                raise
            request = Request(scope, receive)
            try:
                response = self.render(request, exc)
            except Exception:  # rendering the error page failed too: the plainest answer
                log.error("error page failed (request %s)", request_id_of(request))
                response = JSONResponse(
                    to_payload(exc, request_id=request_id_of(request)), status_code=500
                )
            await response(scope, receive, send)


def html_response(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render a page template (``context`` gets the request's CSRF token)."""
    ctx: WebContext = request.app.state.ctx
    context = {"csrf_token": getattr(request.state, "csrf_token", ""), **context}
    response = ctx.templates.TemplateResponse(request, template, context, status_code=status)
    assert isinstance(response, HTMLResponse)
    return response
