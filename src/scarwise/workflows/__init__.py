"""Whole jobs: each one composes the core, imaging, reports and the store into one user action.

A command of the CLI, a route of the HTTP API and a page of the web app call the same workflow
function, so the three shells cannot drift apart. Workflows sit above the store, imaging and
reports (which never import each other) and below the shells.
"""

__all__: list[str] = []
