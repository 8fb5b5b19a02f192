"""What every route needs: the settings, the page templates, the store, and page responses.

:func:`create_app <scarwise.web.app.create_app>` puts one :class:`WebContext` on
``app.state.ctx``; routes reach it through the :data:`Context` dependency (or
:func:`context_of`), never by importing the app. The templates autoescape every file, whatever
its name, and know the filters ``day`` and ``num`` and the globals ``scarwise_version`` and
``active`` (the navigation entry to mark).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from scarwise._version import __version__
from scarwise.config import Settings
from scarwise.store import open_store

__all__ = [
    "PLOT_LOCK",
    "STATIC_DIR",
    "Context",
    "WebContext",
    "context_of",
    "html_response",
    "make_templates",
    "page",
    "see_other",
]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
_TEMPLATES = _HERE / "templates"

#: matplotlib's pyplot keeps process-global state: one plot rendered at a time.
PLOT_LOCK = threading.Lock()


def make_templates() -> Jinja2Templates:
    """The page templates (``web/templates``), autoescaped, with scarwise's filters and globals."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,  # every template, whatever its name
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["scarwise_version"] = __version__
    env.globals["active"] = ""
    env.filters["day"] = _day
    env.filters["num"] = _num
    return Jinja2Templates(env=env)


class WebContext:
    """The settings, the templates and the tracking store (opened once, on first use).

    Parameters
    ----------
    settings
        Data dir, store URL and upload limits.
    store
        An already open store (tests); default: :func:`scarwise.store.open_store` on the
        settings' store URL the first time a route needs it.
    """

    def __init__(self, settings: Settings, store: Any = None) -> None:
        self.settings = settings
        self.templates = make_templates()
        self._store = store
        self._opening = threading.Lock()

    @property
    def store_kind(self) -> str:
        """``sqlite`` or ``postgresql``, from the store URL's scheme."""
        scheme = self.settings.store_url.split(":", 1)[0].split("+", 1)[0]
        return "postgresql" if scheme.startswith("postgres") else scheme

    @property
    def store(self) -> Any:
        """The tracking store, opened once (routes that use it run in worker threads)."""
        if self._store is None:
            with self._opening:
                if self._store is None:
                    self._store = open_store(self.settings.store_url, settings=self.settings)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        close = getattr(self._store, "close", None)
        if callable(close):
            close()


async def context_of(request: Request) -> WebContext:
    """The app's :class:`WebContext` (a FastAPI dependency)."""
    ctx: WebContext = request.app.state.ctx
    return ctx


#: A route parameter that receives the app's :class:`WebContext`.
Context = Annotated[WebContext, Depends(context_of)]


def html_response(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render a page template (``context`` gets the request's CSRF token)."""
    ctx: WebContext = request.app.state.ctx
    context = {"csrf_token": getattr(request.state, "csrf_token", ""), **context}
    response = ctx.templates.TemplateResponse(request, template, context, status_code=status)
    assert isinstance(response, HTMLResponse)
    return response


def page(request: Request, template: str, active: str, **context: Any) -> HTMLResponse:
    """A page whose navigation marks ``active`` (``assess``, ``plan``, ``people``, ...)."""
    return html_response(request, template, {"active": active, **context})


def see_other(url: str) -> RedirectResponse:
    """303 See Other: where a form's POST sends the browser next."""
    return RedirectResponse(url, status_code=303)


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
