"""The ``scarwise`` command line: a thin typer shell over the library."""

from scarwise.cli.main import app, run

__all__ = ["app", "run"]
