"""``scarwise demo``: bundled answers -> assessment and scores -> plan -> a readable report."""

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
    from scarwise.workflows import run_demo

    result = run_demo(Path(out))
    json_mode = json_requested(ctx, json_output)

    def render(console: object) -> None:
        from rich.console import Console
        from rich.panel import Panel

        assert isinstance(console, Console)
        files = result.files
        console.print(
            Panel(result.summary, title="scarwise demo: a fictional person", border_style="green")
        )
        # paths are printed unwrapped so they can be copied
        for label, key in (
            ("Open the report:  ", "html"),
            ("Markdown version: ", "markdown"),
            ("Plan (JSON):      ", "plan"),
            ("Profile:          ", "profile"),
            ("Scores:           ", "scores"),
        ):
            console.print(f"{label}{files[key]}", soft_wrap=True, markup=False, highlight=False)
        console.print(
            "scarwise is decision support and education, not a diagnosis.",
            markup=False,
            highlight=False,
        )

    emit(result, json_mode=json_mode, render=render)
