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
"""

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
from scarwise.workflows.uploads import Analyzed, Analyzed3D, analyze_upload, analyze_uploads_3d

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
