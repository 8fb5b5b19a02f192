"""Printing results and errors: JSON on stdout for ``--json``, rich text otherwise.

With ``--json`` stdout holds exactly one JSON object; everything else goes to stderr. rich is
imported when something is printed, not when the command line starts, so ``--help`` stays fast.
"""

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scarwise.errors import ScarwiseError, to_payload

if TYPE_CHECKING:
    from rich.console import Console

    from scarwise.results import Result

__all__ = ["emit", "emit_error", "json_requested", "stderr", "stdout"]


def json_requested(ctx: Any, local_flag: bool) -> bool:
    """``--json`` given after the command or before it (``scarwise --json score ...``)."""
    return local_flag or bool(ctx.find_root().params.get("json_output"))


def stdout() -> "Console":
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def stderr() -> "Console":
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def emit(
    result: "Result | dict[str, Any]",
    *,
    json_mode: bool,
    render: "Callable[[Console], None] | None" = None,
) -> None:
    """Print one result: its JSON object with ``--json``, else ``render`` (or its JSON, indented)."""
    data = result if isinstance(result, dict) else result.to_json_dict()
    if json_mode:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if render is not None:
        render(stdout())
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_error(exc: BaseException, *, json_mode: bool, request_id: str | None = None) -> None:
    """Print the contract's error object (``--json``) or a plain message on stderr."""
    payload = to_payload(exc, request_id=request_id)
    if json_mode:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    err = payload["error"]
    console = stderr()
    console.print(
        f"[bold red]error[/] ({err['code']}): {err['message']}", markup=True, highlight=False
    )
    problems = err["errors"]
    if len(problems) > 1:
        prefix = exc.prefix if isinstance(exc, ScarwiseError) else ""
        for row in problems:
            field = f"{prefix}.{row['field']}" if prefix else row["field"]
            console.print(
                f"  - {field}: expected {row['expected']}, got {json.dumps(row['got'])}",
                markup=False,
                highlight=False,
            )
    if err.get("hint"):
        console.print(f"hint: {err['hint']}", markup=False, highlight=False)
    if request_id and err["code"] == "internal":
        console.print(
            f"request id: {request_id} (run again with --debug for the traceback)",
            markup=False,
            highlight=False,
        )
