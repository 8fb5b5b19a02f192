"""The web app factory: :func:`create_app` wires the context, the guard, the error handlers, the
routers and the static files, and does nothing else.

What each piece does lives in its own module: ``context`` (settings, templates, store),
``guard`` (hosts, body limits, CSRF cookie, security headers), ``errors`` (every error as the
contract's error object or the error page) and ``routes`` (the API and the pages).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from scarwise._version import __version__
from scarwise.config import Settings
from scarwise.web.context import STATIC_DIR, WebContext
from scarwise.web.errors import EXCEPTION_HANDLERS, error_response
from scarwise.web.guard import FORM_LIMIT, Guard, allowed_hosts_for, upload_limits
from scarwise.web.routes import analysis, api, assess, pages, people, records

__all__ = ["create_app"]


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

    app = FastAPI(
        title="scarwise",
        version=__version__,
        summary="Assess acne scars, plan cited treatment, track progress - on your own computer.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN; the OpenAPI JSON is enough
        redoc_url=None,
        lifespan=lifespan,
        exception_handlers=EXCEPTION_HANDLERS,
        **_telemetry_off(),
    )
    app.state.ctx = ctx
    app.state.debug = debug
    for module in (api, pages, people, records, assess, analysis):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        Guard,
        allowed_hosts=allowed_hosts_for(bind_host, allowed_hosts or ()),
        default_limit=FORM_LIMIT,
        limits=upload_limits(settings.max_upload_bytes),
        render_error=error_response,
    )
    return app


def _telemetry_off() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry switched off, where the installed FastAPI has it.

    FastAPI 0.16x records every request as spans, metrics and logs (with exception messages),
    and exports them when the process has an OpenTelemetry provider or the environment asks
    (``FASTAPI_OTEL_AUTO_CONFIGURE``, ``OTEL_EXPORTER_OTLP_ENDPOINT``). scarwise serves health
    data and sends nothing anywhere, so it is off whatever the environment says.
    """
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    off = {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}
    return {"telemetry": off}
