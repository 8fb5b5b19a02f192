"""Which optional extra provides a missing module, so a command can say what to install.

``pip install scarwise`` brings only the light core (scales, planner, store, CLI); photo analysis,
the web app, PostgreSQL, batch runs and clinic mode are extras. A command that needs a missing
one fails with :class:`~scarwise.errors.MissingExtra` naming the extra, not with a traceback.
"""

from __future__ import annotations

from typing import Final

from scarwise.errors import MissingExtra

__all__ = ["EXTRA_FOR_MODULE", "missing_extra"]

#: top-level import name -> the extra in pyproject.toml that installs it
EXTRA_FOR_MODULE: Final[dict[str, str]] = {
    "numpy": "imaging",
    "scipy": "imaging",
    "skimage": "imaging",
    "cv2": "imaging",
    "PIL": "imaging",
    "pillow_heif": "imaging",
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
    "dask": "batch",
    "distributed": "batch",
    "argon2": "clinic",
    "fhir": "clinic",
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
