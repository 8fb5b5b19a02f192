"""Whole jobs: each one composes the core, imaging, reports and the store into one user action.

A command of the CLI, a route of the HTTP API and a page of the web app call the same workflow
function, so the three shells cannot drift apart. Workflows sit above the store, imaging and
reports (which never import each other) and below the shells.

* :func:`record_assessment`: score a scale (or take a ``score/1``) and keep it;
* :func:`analyze_stored_photo`, :func:`analyze_stored_photos_3d`: analyse stored photos and keep
  the result;
* :func:`analyze_upload`, :func:`analyze_uploads_3d`: analyse photos just handed in (files,
  uploads) and, for a named person, keep the photos and the analysis;
* :func:`measure_scars_3d`: the 3-D scar measurement with its scale estimates
  (:func:`scale_estimates`, :func:`with_estimates`);
* :func:`save_plan`: plan a profile and keep the plan;
* :func:`save_self_assessment`, :func:`start_tracking`: keep a finished self-assessment's scores
  and plan (for a new person, with ``start_tracking``);
* :func:`write_progress_report`, :func:`write_progress_plots`: one person's progress, drawn;
* :func:`run_demo`: the whole job on the bundled fictional person (``scarwise demo``).

The names are imported on first use (PEP 562, as in :mod:`scarwise`): a command that needs one
job (``scarwise analyze3d``) does not load the others' libraries (the store's SQLAlchemy, the
reports' matplotlib, the colour analysis).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scarwise.workflows.analysis3d import measure_scars_3d, scale_estimates, with_estimates
    from scarwise.workflows.assessments import record_assessment
    from scarwise.workflows.demo import DemoResult, run_demo
    from scarwise.workflows.photos import analyze_stored_photo, analyze_stored_photos_3d
    from scarwise.workflows.plans import save_plan
    from scarwise.workflows.progress import (
        aligned_photo_pairs,
        write_progress_plots,
        write_progress_report,
    )
    from scarwise.workflows.self_assessment import (
        SavedSelfAssessment,
        save_self_assessment,
        start_tracking,
    )
    from scarwise.workflows.upload_3d import Analyzed3D, analyze_uploads_3d
    from scarwise.workflows.upload_colour import Analyzed, analyze_upload

#: public name -> the module that defines it, imported on first use.
_LAZY: dict[str, str] = {
    "Analyzed": "scarwise.workflows.upload_colour",
    "Analyzed3D": "scarwise.workflows.upload_3d",
    "DemoResult": "scarwise.workflows.demo",
    "SavedSelfAssessment": "scarwise.workflows.self_assessment",
    "aligned_photo_pairs": "scarwise.workflows.progress",
    "analyze_stored_photo": "scarwise.workflows.photos",
    "analyze_stored_photos_3d": "scarwise.workflows.photos",
    "analyze_upload": "scarwise.workflows.upload_colour",
    "analyze_uploads_3d": "scarwise.workflows.upload_3d",
    "measure_scars_3d": "scarwise.workflows.analysis3d",
    "record_assessment": "scarwise.workflows.assessments",
    "run_demo": "scarwise.workflows.demo",
    "save_plan": "scarwise.workflows.plans",
    "save_self_assessment": "scarwise.workflows.self_assessment",
    "scale_estimates": "scarwise.workflows.analysis3d",
    "start_tracking": "scarwise.workflows.self_assessment",
    "with_estimates": "scarwise.workflows.analysis3d",
    "write_progress_plots": "scarwise.workflows.progress",
    "write_progress_report": "scarwise.workflows.progress",
}

__all__ = [
    "Analyzed",
    "Analyzed3D",
    "DemoResult",
    "SavedSelfAssessment",
    "aligned_photo_pairs",
    "analyze_stored_photo",
    "analyze_stored_photos_3d",
    "analyze_upload",
    "analyze_uploads_3d",
    "measure_scars_3d",
    "record_assessment",
    "run_demo",
    "save_plan",
    "save_self_assessment",
    "scale_estimates",
    "start_tracking",
    "with_estimates",
    "write_progress_plots",
    "write_progress_report",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scarwise.workflows' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
