"""scarwise: assess acne scars, plan cited treatment, and track progress.

The library is the product; the ``scarwise`` command and the web app are shells over these
functions. scarwise is decision support and education, not a diagnosis.

Public names are imported lazily (PEP 562) so that ``import scarwise`` and ``scarwise --help``
stay fast (``scarwise --version`` imports nothing else): to add one, put ``"Name": "scarwise.module"``
in ``_LAZY`` and the name in the sorted ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scarwise._version import __version__

if TYPE_CHECKING:
    from scarwise import assess
    from scarwise.errors import (
        AuthRequired,
        Forbidden,
        InternalError,
        InvalidInput,
        NotFound,
        PhotoRejected,
        Problem,
        ProfileError,
        SafetyViolation,
        ScarwiseError,
        UploadTooLarge,
        UsageError,
    )
    from scarwise.imaging import AnalyzeResult, analyze_photo, render_overlay
    from scarwise.intake import Photo, read_photo
    from scarwise.knowledge import KnowledgeBase, load_knowledge_base
    from scarwise.planner import Plan, Profile, plan
    from scarwise.scales import ScoreResult, score
    from scarwise.store import open_store

#: public name -> module that defines it, imported on first use.
_LAZY: dict[str, str] = {
    "AuthRequired": "scarwise.errors",
    "Forbidden": "scarwise.errors",
    "InternalError": "scarwise.errors",
    "InvalidInput": "scarwise.errors",
    "NotFound": "scarwise.errors",
    "PhotoRejected": "scarwise.errors",
    "Problem": "scarwise.errors",
    "ProfileError": "scarwise.errors",
    "SafetyViolation": "scarwise.errors",
    "ScarwiseError": "scarwise.errors",
    "UploadTooLarge": "scarwise.errors",
    "UsageError": "scarwise.errors",
    "AnalyzeResult": "scarwise.imaging",
    "Photo": "scarwise.intake",
    "analyze_photo": "scarwise.imaging",
    "read_photo": "scarwise.intake",
    "render_overlay": "scarwise.imaging",
    "KnowledgeBase": "scarwise.knowledge",
    "Plan": "scarwise.planner",
    "Profile": "scarwise.planner",
    "assess": "scarwise.assess",
    "load_knowledge_base": "scarwise.knowledge",
    "plan": "scarwise.planner",
    "ScoreResult": "scarwise.scales",
    "score": "scarwise.scales",
    "open_store": "scarwise.store",
}

__all__ = [
    "AnalyzeResult",
    "AuthRequired",
    "Forbidden",
    "InternalError",
    "InvalidInput",
    "KnowledgeBase",
    "NotFound",
    "Photo",
    "PhotoRejected",
    "Plan",
    "Problem",
    "Profile",
    "ProfileError",
    "SafetyViolation",
    "ScarwiseError",
    "ScoreResult",
    "UploadTooLarge",
    "UsageError",
    "__version__",
    "analyze_photo",
    "assess",
    "load_knowledge_base",
    "open_store",
    "plan",
    "read_photo",
    "render_overlay",
    "score",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scarwise' has no attribute {name!r}")
    imported = importlib.import_module(module)
    # a subpackage (``scarwise.assess``) is itself the public name
    value = imported if module == f"scarwise.{name}" else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
