"""What every route needs: the settings, the page templates, the store, and page responses.

:func:`create_app <scarwise.web.app.create_app>` puts one :class:`WebContext` on
``app.state.ctx``; routes reach it through the :data:`Context` dependency (or
:func:`context_of`), never by importing the app. The templates autoescape every file, whatever
its name, and know the filters ``day``, ``num``, ``plural``, ``treatment_name``,
``scale_name`` and ``frequency_words`` and the globals ``scarwise_version``, ``active`` (the
navigation entry to mark), ``score_text`` and ``score_band`` (plain words:
``scarwise.web.words``).

The context also holds the server's CSRF secret (:attr:`WebContext.csrf_secret`), the wizard's
unfinished answers (:attr:`WebContext.drafts`) and the one slot for a heavy photo analysis (:meth:`WebContext.heavy_analysis`): one runs at a time, and a
second one asked for meanwhile is answered at once with 429 (:class:`ServerBusy`) rather than
queued, so an impatient double submit costs no second gigabyte of memory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from scarwise._version import __version__
from scarwise.config import Settings
from scarwise.errors import Problem, ScarwiseError, UploadTooLarge, UsageError
from scarwise.intake import IntakeLimits, image_pixels
from scarwise.store import open_store
from scarwise.tracking.regimen import parse_frequency
from scarwise.web.drafts import Drafts
from scarwise.web.words import (
    SCAR_WORDS,
    plural,
    scale_name,
    score_band,
    score_text,
    treatment_name,
)

__all__ = [
    "PLOT_LOCK",
    "STATIC_DIR",
    "Context",
    "ServerBusy",
    "WebContext",
    "check_pixel_budget",
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


class ServerBusy(HTTPException):
    """Another heavy analysis is running: HTTP 429 with ``Retry-After``.

    An HTTP exception, as Starlette's own 404 and 413 are, because scarwise's error tree maps
    errors to exit codes and has no status for "busy"; the handler
    (``scarwise.web.errors``) answers with :attr:`error`, a :class:`~scarwise.errors.UsageError`,
    as the contract's error object or the error page.
    """

    def __init__(self) -> None:
        super().__init__(status_code=429, detail="busy", headers={"Retry-After": "10"})
        self.error = UsageError(
            "another photo analysis is running on this server; wait until it has finished "
            "and send this one again",
            problems=[Problem("analysis", "no other analysis running", "one running")],
            hint="scarwise runs one photo analysis at a time",
        )


def check_pixel_budget(
    blobs: Sequence[bytes], settings: Settings, *, field: str = "images"
) -> None:
    """Refuse photos whose pixels together exceed ``settings.max_analysis_pixels`` (413).

    The sizes come from the headers (:func:`scarwise.intake.image_pixels`), so nothing is
    decoded before the budget is known to hold.
    """
    limits = IntakeLimits.from_settings(settings)
    total = sum(image_pixels(blob, limits=limits, name=f"image{i}") for i, blob in enumerate(blobs))
    budget = settings.max_analysis_pixels
    if total > budget:
        raise UploadTooLarge(
            f"{field}: the photos have {total} pixels together, over the limit of {budget} "
            "for one analysis",
            problems=[Problem(field, f"at most {budget} pixels in all photos together", total)],
            hint="crop the photos to the scarred area or send fewer "
            "(SCARWISE_MAX_ANALYSIS_PIXELS raises the limit)",
        )


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
    env.globals["score_text"] = score_text
    env.globals["score_band"] = score_band
    env.globals["scar_words"] = SCAR_WORDS
    env.filters["day"] = _day
    env.filters["num"] = _num
    env.filters["plural"] = plural
    env.filters["treatment_name"] = treatment_name
    env.filters["scale_name"] = scale_name
    env.filters["frequency_words"] = _frequency_words
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
        self._secret: bytes | None = None
        self._heavy = threading.Semaphore(1)
        self.drafts = Drafts()

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

    @property
    def csrf_secret(self) -> bytes:
        """The secret CSRF tokens are signed with: 32 random bytes in ``web-secret`` in the
        data dir (created 0600 on first use, then kept, so tokens outlive a restart)."""
        if self._secret is None:
            with self._opening:
                if self._secret is None:
                    self._secret = _load_secret(self.settings.web_secret_file)
        return self._secret

    @contextlib.contextmanager
    def heavy_analysis(self) -> Iterator[None]:
        """The one slot for a photo analysis (:class:`ServerBusy` if it is taken)."""
        if not self._heavy.acquire(blocking=False):
            raise ServerBusy()
        try:
            yield
        finally:
            self._heavy.release()

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


def page(
    request: Request, template: str, active: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page whose navigation marks ``active`` (``assess``, ``plan``, ``people``, ...)."""
    return html_response(request, template, {"active": active, **context}, status)


def see_other(url: str) -> RedirectResponse:
    """303 See Other: where a form's POST sends the browser next."""
    return RedirectResponse(url, status_code=303)


def _load_secret(path: Path) -> bytes:
    """The secret in ``path``, made if missing: written whole to a temporary file first and
    linked into place, so two servers starting at once end up with the same one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_file() and len(secret := path.read_bytes()) >= 32:
        return secret
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".web-secret-")  # 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
            fh.flush()
            os.fsync(fh.fileno())
        if path.is_file():  # present but too short: not ours to trust, replace it
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):  # another server made it first
                os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path.read_bytes()


def _day(value: Any) -> str:
    """A date or date-time as ``YYYY-MM-DD`` (empty for nothing)."""
    if value is None:
        return ""
    iso = getattr(value, "isoformat", None)
    return str(iso())[:10] if callable(iso) else str(value)[:10]


def _frequency_words(value: Any) -> str:
    """A stored routine frequency in plain words (``twice-daily`` -> ``twice a day``)."""
    try:
        return parse_frequency(str(value)).words
    except ScarwiseError:  # stored by another version: shown as it was kept
        return str(value)


def _num(value: Any) -> str:
    """A number without a useless ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
