"""``scarwise plan``: write a treatment plan for a profile (``contracts/profile.md``)."""

from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import emit, json_requested, stderr
from scarwise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register", "render_plan"]


def register(app: typer.Typer) -> None:
    app.command(
        "plan",
        help="Write a cited treatment plan for a profile (JSON or YAML file; '-' reads stdin).",
    )(plan_command)


def plan_command(
    ctx: typer.Context,
    profile: str = typer.Option(
        ..., "--profile", "-p", help="Profile file (JSON or YAML); '-' reads stdin."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="Write a printable report: markdown or html (needs --out)."
    ),
    out: str | None = typer.Option(None, "--out", "-o", help="Where to write the --format report."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.documents import load_document
    from scarwise.planner import plan

    if fmt is not None and fmt not in ("markdown", "html"):
        raise UsageError(
            f"--format: expected markdown or html, got {fmt!r}", hint="see 'scarwise plan --help'"
        )
    if (fmt is None) != (out is None):
        raise UsageError(
            "--format and --out go together", hint="e.g. --format html --out plan.html"
        )
    result = plan(load_document(profile, field="profile"))
    json_mode = json_requested(ctx, json_output)
    if fmt is not None and out is not None:
        from scarwise.reports.plan_report import write_plan_report

        write_plan_report(result, out, fmt=fmt)
        if not json_mode:
            stderr().print(f"wrote {fmt} report: {out}", markup=False, highlight=False)
    emit(result, json_mode=json_mode, render=lambda c: render_plan(c, result.to_json_dict()))


def render_plan(console: "Console", data: dict[str, Any]) -> None:
    """A readable rich rendering of a ``plan/1`` object (no truncation on narrow terminals)."""
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    if data["urgent"]:
        console.print(
            Panel(
                Text("\n".join(f"! {u}" for u in data["urgent"]), style="bold"),
                title="Act now",
                border_style="red",
            )
        )
    console.print(
        Panel(Text(data["summary"]), title="Your scar treatment plan", border_style="cyan")
    )
    for phase in data["phases"]:
        console.print()
        console.rule(
            Text(
                f"Step {phase['order']}: {phase['name']}  (from week {phase['starts_after_weeks']})",
                style="bold cyan",
            ),
            align="left",
        )
        console.print(Padding(Text(phase["purpose"], style="italic"), (0, 2)))
        for rec in phase["recommendations"]:
            block = Text()
            block.append(f"\u25cf {rec['name']}", style="bold")
            block.append(f"  [{rec['setting']}]\n", style="dim")
            if rec["starts_after_weeks"]:
                block.append(f"Not before week {rec['starts_after_weeks']}\n", style="bold yellow")
            block.append("For: ", style="bold")
            block.append(
                ", ".join(_TARGET_WORDS.get(t, t.replace("_", " ")) for t in rec["targets"]) + "\n"
            )
            sessions = _sessions(rec["sessions"])
            if rec["interval_weeks"]:
                sessions += f", every {_range(rec['interval_weeks'], ' weeks')}"
            block.append(
                f"{sessions} \u00b7 downtime {_range(rec['downtime_days'], ' days')} \u00b7 "
                f"about {_money(rec['cost_usd'])} ({rec['cost_source_year']} estimate)\n",
                style="green",
            )
            block.append("Why: ", style="bold")
            block.append(rec["rationale"] + "\n")
            ev = rec["evidence"]
            block.append(
                f"Evidence: {ev['level']} [{', '.join(ev['references'])}] (certainty: {ev['certainty']})",
                style="dim",
            )
            for caution in rec["cautions"]:
                block.append(f"\n! {caution}", style="yellow")
            if rec["alternatives"]:
                block.append(f"\nAlternatives: {', '.join(rec['alternatives'])}", style="dim")
            console.print(Padding(block, (1, 2, 0, 2)))
    if data["excluded"]:
        console.print()
        table = Table(title="Not in this plan", title_justify="left", expand=True, show_lines=True)
        table.add_column("Treatment", ratio=2, overflow="fold")
        table.add_column("Why not", ratio=6)
        table.add_column("Refs", ratio=1)
        for ex in data["excluded"]:
            table.add_row(
                ex["treatment"], f"{ex['kind']}: {ex['reason']}", ", ".join(ex["references"])
            )
        console.print(table)
    if data["not_chosen"]:
        console.print(
            Panel(
                Text("\n".join(f"- {n['treatment']}: {n['reason']}" for n in data["not_chosen"])),
                title="Your preferences not in this plan",
                border_style="yellow",
            )
        )
    if data["warnings"]:
        console.print(
            Panel(
                Text("\n".join(f"- {w}" for w in data["warnings"])),
                title="Warnings",
                border_style="yellow",
            )
        )
    if data["referrals"]:
        console.print(
            Panel(
                Text("\n".join(f"- {r['to']}: {r['reason']}" for r in data["referrals"])),
                title="Who to see",
                border_style="green",
            )
        )
    console.print(
        Text(
            f"Knowledge base {data['knowledge_base_version']}; cited references: "
            f"{', '.join(r['id'] for r in data['references'])} (see --format html for full citations)",
            style="dim",
        )
    )
    console.print(Panel(Text(data["disclaimer"]), border_style="red"))


_TARGET_WORDS = {
    "all": "all skin",
    "erythema": "red marks",
    "hyperpigmentation": "brown marks",
    "hypopigmentation": "white marks",
}


def _sessions(pair: list[int] | None) -> str:
    if not pair:
        return "ongoing"
    return "1 session" if pair == [1, 1] else _range(pair, " sessions")


def _range(pair: list[int], unit: str) -> str:
    lo, hi = pair
    return f"{lo}{unit}" if lo == hi else f"{lo}-{hi}{unit}"


def _money(pair: list[int]) -> str:
    lo, hi = pair
    return f"${lo:,}" if lo == hi else f"${lo:,}-{hi:,}"
