"""The typer application, the global options and the one place CLI errors become exit codes.

Command groups live in their own modules (``scarwise.cli.<name>``), each exposing
``register(app)``. They import heavy libraries (numpy, SQLAlchemy, ...) inside the command bodies
so that ``scarwise --help`` stays fast.
"""

import importlib
import sys
import traceback
import uuid
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException

from scarwise._version import __version__
from scarwise.cli.output import emit_error
from scarwise.errors import InternalError, ScarwiseError, UsageError

__all__ = ["app", "run"]

app = typer.Typer(
    name="scarwise",
    help="Assess acne scars, plan cited treatment, and track progress - privately, on your computer.\n\n"
    "scarwise is decision support and education, not a diagnosis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Modules that add commands; each has ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "scarwise.cli.score",
    "scarwise.cli.serve",
    "scarwise.cli.plan",
    "scarwise.cli.kb",
    "scarwise.cli.assess",
    "scarwise.cli.demo",
    "scarwise.cli.track",
    "scarwise.cli.analyze",
    "scarwise.cli.analyze3d",
    "scarwise.cli.lights",
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"scarwise {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Global options (``--json`` and ``--debug`` are also accepted after each command)."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns (and, as the console script, exits with) the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in args
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="scarwise", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        emit_error(UsageError("aborted"), json_mode=json_mode)
        code = 2
    except TyperException as exc:  # typer's (vendored click) usage errors
        err = UsageError(_click_message(exc), hint=_click_hint(exc))
        emit_error(err, json_mode=json_mode)
        code = err.exit_code
    except ScarwiseError as exc:
        if debug and isinstance(exc, InternalError):
            traceback.print_exc()
        emit_error(exc, json_mode=json_mode)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except ModuleNotFoundError as exc:
        from scarwise.extras import missing_extra

        missing = missing_extra(exc)
        if missing is None:
            code = _internal(exc, json_mode=json_mode, debug=debug)
        else:
            emit_error(missing, json_mode=json_mode)
            code = missing.exit_code
    except Exception as exc:  # the one catch-all: a bug, reported without its text
        code = _internal(exc, json_mode=json_mode, debug=debug)
    if argv is None:
        sys.exit(code)
    return code


def _internal(exc: BaseException, *, json_mode: bool, debug: bool) -> int:
    request_id = uuid.uuid4().hex[:12]
    if debug:
        traceback.print_exception(exc)
    emit_error(exc, json_mode=json_mode, request_id=request_id)
    return 1


def _click_message(exc: TyperException) -> str:
    format_message = getattr(exc, "format_message", None)
    return str(format_message()) if callable(format_message) else str(exc)


def _click_hint(exc: TyperException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        return f"see '{ctx.command_path} --help'"
    return "see 'scarwise --help'"
