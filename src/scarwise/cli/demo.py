"""``scarwise demo``: bundled answers -> assessment and scores -> plan -> a readable report."""

from __future__ import annotations

from pathlib import Path

import typer

from scarwise.cli.output import emit, json_requested

__all__ = ["DEFAULT_DEMO_DIR", "register"]

#: Default output: ``./scarwise-demo/`` in the current directory (printed after the run).
DEFAULT_DEMO_DIR = Path("scarwise-demo")


def register(app: typer.Typer) -> None:
    app.command(
        "demo",
        help="Run the whole job on a bundled, fictional person and write a report "
        "(default: ./scarwise-demo/). Works offline.",
    )(demo_command)


def demo_command(
    ctx: typer.Context,
    out: str = typer.Option(
        str(DEFAULT_DEMO_DIR), "--out", "-o", help="Directory for the results (created if needed)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.demo import run_demo

    result = run_demo(Path(out))
    json_mode = json_requested(ctx, json_output)

    def render(console: object) -> None:
        from rich.console import Console
        from rich.panel import Panel

        assert isinstance(console, Console)
        files = result.files
        console.print(
            Panel(
                f"{result.summary}\n\n"
                f"Open the report:   {files['html']}\n"
                f"Markdown version:  {files['markdown']}\n"
                f"Plan (JSON):       {files['plan']}\n"
                f"Profile / scores:  {files['profile']}, {files['scores']}\n\n"
                "The demo person is fictional. scarwise is decision support and education, not a diagnosis.",
                title="scarwise demo: done",
                border_style="green",
            )
        )

    emit(result, json_mode=json_mode, render=render)
