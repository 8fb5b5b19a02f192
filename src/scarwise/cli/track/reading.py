"""``scarwise track history`` and ``progress``: a person's timeline and what changed."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from scarwise.cli.track._common import DB, DEBUG, JSON, PersonId, run_in_store

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["history", "progress"]


def history(
    ctx: typer.Context,
    person: PersonId,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only these event kinds (repeatable).")
    ] = None,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """A person's timeline, oldest first."""
    run_in_store(
        ctx, db, json_output, lambda s: s.history(person, kinds=kind or None), _render_history
    )


def _render_history(console: "Console", result: Any) -> None:
    console.print(
        f"[bold]{result.person.name}[/] ({result.person.id}): {len(result.events)} events"
    )
    from rich.table import Table

    table = Table("date", "kind", "what", show_lines=False)
    for e in result.events:
        extra = e.model_extra or {}
        if e.kind == "assessment":
            what = f"{extra['scale']} {extra['score']}/{extra['max']}"
        elif e.kind in {"session", "regimen", "regimen-stop"}:
            what = str(extra.get("treatment")) + (
                f" {extra['frequency']}" if e.kind == "regimen" else ""
            )
        elif e.kind == "dose":
            what = str(extra.get("status"))
        elif e.kind == "note":
            what = str(extra.get("text"))[:60]
        elif e.kind == "analysis":
            what = f"{extra.get('analysis')} {extra.get('summary')}"
        elif e.kind == "plan":
            what = f"knowledge base {extra.get('knowledge_base_version')} ({extra.get('status')})"
        else:
            what = e.id
        table.add_row(e.date.strftime("%Y-%m-%d %H:%M"), e.kind, what)
    console.print(table)


def progress(
    ctx: typer.Context,
    person: PersonId,
    date_from: str | None = typer.Option(
        None, "--from", help="First date (default: the first record)."
    ),
    date_to: str | None = typer.Option(None, "--to", help="Second date (default: now)."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Compare two dates: score change, scar count and volume, redness, adherence."""
    run_in_store(
        ctx, db, json_output, lambda s: s.progress(person, date_from, date_to), _render_progress
    )


def _render_progress(console: "Console", r: Any) -> None:
    console.print(f"[bold]{r.person.name}[/]: {r.date_from.date()} -> {r.date_to.date()}")
    from rich.table import Table

    table = Table("scale", "region", "from", "to", "change")
    for c in r.scores:
        table.add_row(
            c.scale, c.region or "", _num(c.score_from), f"{c.score_to}/{c.max}", _num(c.change)
        )
    console.print(table)
    console.print(
        f"scars: {_num(r.scars.count_from)} -> {_num(r.scars.count_to)}; volume "
        f"{_num(r.scars.volume_from_mm3)} -> {_num(r.scars.volume_to_mm3)} mm3",
        markup=False,
    )
    console.print(
        f"redness (mean a*): {_num(r.redness.mean_a_star_from)} -> {_num(r.redness.mean_a_star_to)}",
        markup=False,
    )
    rate = "nothing due" if r.adherence.rate is None else f"{r.adherence.rate:.0%}"
    console.print(
        f"adherence: {rate} ({r.adherence.taken:g} of {r.adherence.expected:g} doses)", markup=False
    )
    console.print(f"sessions: {len(r.sessions)}", markup=False)


def _num(value: object) -> str:
    return "-" if value is None else f"{value}"
