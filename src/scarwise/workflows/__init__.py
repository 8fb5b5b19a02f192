"""Whole jobs: each one composes the core, imaging, reports and the store into one user action.

A command of the CLI, a route of the HTTP API and a page of the web app call the same workflow
function, so the three shells cannot drift apart. Workflows sit above the store, imaging and
reports (which never import each other) and below the shells.

* :func:`measure_scars_3d`: the 3-D scar measurement with its scale estimates
  (:func:`scale_estimates`, :func:`with_estimates`).
"""

from scarwise.workflows.analysis3d import measure_scars_3d, scale_estimates, with_estimates

__all__ = ["measure_scars_3d", "scale_estimates", "with_estimates"]
