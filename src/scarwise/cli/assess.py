"""``scarwise assess``: the guided self-assessment (interactive, or from an answers file)."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import emit, json_requested, stderr
from scarwise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from scarwise.assess.models import Question

__all__ = ["register", "render_assessment", "write_assessment_files"]


def register(app: typer.Typer) -> None:
    app.command(
        "assess",
        help="Guided self-assessment: plain-language questions -> a profile and scale scores.",
    )(assess_command)


def assess_command(
    ctx: typer.Context,
    answers: str | None = typer.Option(
        None,
        "--answers",
        "-a",
        help="Answers file (JSON or YAML; '-' reads stdin) instead of asking.",
    ),
    out: str | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write the profile here (JSON) and the scores beside it (*-scores.json).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.assess import assess
    from scarwise.documents import load_document

    if answers is not None:
        raw = load_document(answers, field="answers")
    else:
        if not sys.stdin.isatty():
            raise UsageError(
                "no terminal to ask questions on", hint="use --answers FILE for non-interactive use"
            )
        raw = ask_interactively(stderr())
    result = assess(raw)
    json_mode = json_requested(ctx, json_output)
    if out is not None:
        written = write_assessment_files(result, Path(out))
        if not json_mode:
            stderr().print(
                "wrote " + ", ".join(str(p) for p in written), markup=False, highlight=False
            )
    emit(
        result,
        json_mode=json_mode,
        render=lambda c: render_assessment(c, result.to_json_dict(), out),
    )


def write_assessment_files(result: Any, out: Path) -> list[Path]:
    """Write the profile to ``out`` and the scores to ``<stem>-scores.json`` beside it."""
    from scarwise.errors import InvalidInput, Problem

    if not out.parent.is_dir() or out.is_dir():
        raise InvalidInput(problems=[Problem("out", "a file in an existing directory", str(out))])
    data = result.to_json_dict()
    scores = out.with_name(out.stem + "-scores.json")
    try:
        out.write_text(
            json.dumps(data["profile"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        scores.write_text(
            json.dumps(data["scores"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError as err:
        raise InvalidInput(
            problems=[Problem("out", "a writable file", f"{out}: {err.strerror}")]
        ) from err
    return [out, scores]


def ask_interactively(console: "Console") -> dict[str, Any]:
    """Walk the questionnaire with rich prompts (on stderr) and return the answers."""
    from rich.panel import Panel

    from scarwise.assess import applies, load_questions
    from scarwise.assess.questions import set_path

    console.print(
        Panel(
            "Answer in your own words; nothing leaves your computer.\n"
            "scarwise is decision support and education, not a diagnosis.",
            title="scarwise self-assessment",
            border_style="cyan",
        )
    )
    answers: dict[str, Any] = {}
    for section in load_questions():
        console.rule(section.title)
        if section.intro:
            console.print(section.intro, markup=False, highlight=False)
        for q in section.questions:
            if applies(q, answers):
                set_path(answers, q.field, _ask(console, q, answers))
    return answers


def _ask(console: "Console", q: "Question", answers: dict[str, Any]) -> Any:
    from rich.prompt import Confirm, IntPrompt, Prompt

    text = q.text + (f" ({q.help})" if q.help else "")
    if q.kind == "sites":
        from scarwise.assess.questions import site_rows

        regions = [c for c in q.choices if c.value in (answers.get("regions") or [])]
        console.print(text, markup=False, highlight=False)
        sites: dict[str, list[Any]] = {}
        for key, label in site_rows(answers):
            console.print(f"{label}:", markup=False, highlight=False)
            sites[key] = _pick(console, regions, several=True, allow_none=False)
        return sites
    if q.kind == "flags":
        console.print(text, markup=False, highlight=False)
        return _pick(console, q.choices, several=True, allow_none=True)
    if q.kind == "bool":
        return Confirm.ask(text, console=console)
    if q.kind == "int":
        while True:
            value = IntPrompt.ask(text, console=console)
            if (q.min is None or value >= q.min) and (q.max is None or value <= q.max):
                return value
            console.print(f"Please enter a whole number from {q.min} to {q.max}.", markup=False)
    if q.kind in ("choice", "list"):
        console.print(text, markup=False, highlight=False)
        values = _pick(console, q.choices, several=q.kind == "list", allow_none=False)
        return values if q.kind == "list" else values[0]
    while True:  # money / days / months: empty means no limit (or not sure)
        raw = Prompt.ask(text, default="", show_default=False, console=console).strip()
        if not raw:
            return None
        try:
            number: float = float(raw) if q.kind in ("money", "months") else int(raw)
        except ValueError:
            number = -1
        if 0 <= number <= (1200 if q.kind == "months" else float("inf")):
            return number
        console.print("Please enter a number of 0 or more, or leave it empty.", markup=False)


def _pick(console: "Console", choices: Any, *, several: bool, allow_none: bool) -> list[Any]:
    """Numbered choices; the values picked (several with ``1,3``; none with an empty answer
    when ``allow_none``)."""
    from rich.prompt import Prompt

    for i, choice in enumerate(choices, 1):
        console.print(f"  {i}. {choice.label}", markup=False, highlight=False)
    hint = " (several: 1,3)" if several else ""
    hint += "; leave empty for none" if allow_none else ""
    while True:
        raw = Prompt.ask("Number" + hint, default="", show_default=False, console=console)
        picks = [p.strip() for p in raw.split(",") if p.strip()]
        if not picks and allow_none:
            return []
        if (
            picks
            and all(p.isdigit() and 1 <= int(p) <= len(choices) for p in picks)
            and (several or len(picks) == 1)
        ):
            return [choices[int(p) - 1].value for p in picks]
        console.print(f"Please enter a number from 1 to {len(choices)}.", markup=False)


def render_assessment(console: "Console", data: dict[str, Any], out: str | None = None) -> None:
    from rich.table import Table

    profile = data["profile"]
    table = Table(title="Your scores", title_justify="left")
    for col in ("scale", "score", "result"):
        table.add_column(col)
    for name, s in data["scores"].items():
        extra = s.get("label") or (f"skin type {s['type_roman']}" if "type_roman" in s else "")
        table.add_row(name, f"{s['score']} / {s['max']}", str(extra))
    console.print(table)
    scars = (
        ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in profile["scars"].items() if v) or "none"
    )
    console.print(
        f"Skin type {profile['fitzpatrick']}; scars - {scars}", markup=False, highlight=False
    )
    for note in data["notes"]:
        console.print(f"note: {note}", markup=False, highlight=False)
    if out is not None:
        console.print(f"Next: scarwise plan --profile {out}", markup=False, highlight=False)
    else:
        console.print(
            "Next: save the profile with --out FILE, then run scarwise plan --profile FILE.",
            markup=False,
            highlight=False,
        )
