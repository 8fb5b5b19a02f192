"""Which optional extra provides a missing module, so a command can say what to install.

``pip install scarwise`` brings the core (scales, planner, store, the photo intake gate, CLI); photo
analysis, the web app and PostgreSQL are extras. A command that needs a missing
one fails with :class:`~scarwise.errors.MissingExtra` naming the extra, not with a traceback.
"""

from __future__ import annotations

from typing import Final

from scarwise.errors import MissingExtra

__all__ = ["EXTRA_FOR_MODULE", "missing_extra"]

#: top-level import name -> the extra in pyproject.toml that installs it
EXTRA_FOR_MODULE: Final[dict[str, str]] = {
    "scipy": "imaging",
    "skimage": "imaging",
    "cv2": "imaging",
    "ai_edge_litert": "imaging",
    "matplotlib": "imaging",
    "fastapi": "web",
    "starlette": "web",
    "uvicorn": "web",
    "multipart": "web",
    "python_multipart": "web",
    "itsdangerous": "web",
    "weasyprint": "web",
    "psycopg": "postgres",
}


def missing_extra(exc: ModuleNotFoundError) -> MissingExtra | None:
    """The :class:`MissingExtra` for an import failure, or None when no extra provides it."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_FOR_MODULE.get(top)
    if extra is None:
        return None
    return MissingExtra(
        f"this command needs the optional '{extra}' part of scarwise ({top} is not installed)",
        hint=f"pip install 'scarwise[{extra}]'",
    )
