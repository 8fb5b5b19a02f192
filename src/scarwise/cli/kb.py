"""``scarwise kb``: check the knowledge base, or explain one treatment."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import emit, json_requested

if TYPE_CHECKING:
    from rich.console import Console

    from scarwise.knowledge.models import KnowledgeBase

__all__ = ["register"]

kb_app = typer.Typer(help="Check or explore the knowledge base.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


def _load(directory: Path | None) -> "KnowledgeBase":
    from scarwise.knowledge import load_knowledge_base

    return load_knowledge_base(directory)


@kb_app.command(
    "check", help="Validate every knowledge-base file and cross-reference; list every problem."
)
def check_command(
    ctx: typer.Context,
    directory: str | None = typer.Option(
        None, "--dir", help="A knowledge-base directory (default: the packaged one)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    kb = _load(Path(directory) if directory else None)
    from scarwise._version import __version__

    data: dict[str, Any] = {
        "ok": True,
        "schema": "kb-check/1",
        "scarwise_version": __version__,
        "knowledge_base_version": kb.version,
        "counts": {
            "treatments": len(kb.treatments),
            "references": len(kb.references),
            "rules": len(kb.rules),
            "scar_types": len(kb.scar_types),
            "prevention": len(kb.prevention),
        },
    }
    emit(
        data,
        json_mode=json_requested(ctx, json_output),
        render=lambda c: c.print(
            f"knowledge base {kb.version}: OK - "
            + ", ".join(f"{n} {k}" for k, n in data["counts"].items()),
            markup=False,
            highlight=False,
        ),
    )


@kb_app.command(
    "show",
    help="Explain one treatment (or scar type): what it is, what it fits, evidence, costs, rules.",
)
def show_command(
    ctx: typer.Context,
    item: str | None = typer.Argument(
        None, help="Treatment id (see treatments.txt) or scar type; omit to list."
    ),
    directory: str | None = typer.Option(
        None, "--dir", help="A knowledge-base directory (default: the packaged one)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise._version import __version__
    from scarwise.errors import NotFound, Problem

    kb = _load(Path(directory) if directory else None)
    json_mode = json_requested(ctx, json_output)
    base = {"ok": True, "scarwise_version": __version__, "knowledge_base_version": kb.version}
    if item is None:
        listing = {
            **base,
            "schema": "kb-list/1",
            "treatments": [{"id": t.id, "name": t.name} for t in kb.treatments.values()],
            "scar_types": [{"id": s.id, "name": s.name} for s in kb.scar_types.values()],
        }
        emit(listing, json_mode=json_mode, render=lambda c: _render_list(c, listing))
        return
    if item in kb.treatments:
        t = kb.treatments[item]
        rules = [r.model_dump(mode="json") for r in kb.rules if item in r.treatments]
        refs = sorted(
            {r for rule in rules for r in rule["references"]} | _refs(t.model_dump(mode="json"))
        )
        data = {
            **base,
            "schema": "kb-treatment/1",
            "treatment": t.model_dump(mode="json"),
            "rules": rules,
            "references": [
                kb.references[r].model_dump(mode="json") for r in kb.references if r in refs
            ],
        }
        emit(data, json_mode=json_mode, render=lambda c: _render_treatment(c, data))
        return
    if item in kb.scar_types:
        st = kb.scar_types[item]
        data = {**base, "schema": "kb-scar-type/1", "scar_type": st.model_dump(mode="json")}
        emit(data, json_mode=json_mode, render=lambda c: _render_scar_type(c, data))
        return
    raise NotFound(
        f"kb: no treatment or scar type named {item!r} (list them with 'scarwise kb show')",
        problems=[Problem("item", "a treatment id or scar type", item)],
    )


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "references" and isinstance(value, list):
                found.update(value)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _render_list(console: "Console", data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="Treatments")
    table.add_column("id")
    table.add_column("name")
    for t in data["treatments"]:
        table.add_row(t["id"], t["name"])
    console.print(table)
    console.print(
        "Scar types and marks: " + ", ".join(s["id"] for s in data["scar_types"]), markup=False
    )


def _cited(value: dict[str, Any] | None, unit: str) -> str:
    if value is None:
        return "-"
    lo, hi = value["range"]
    span = f"{lo}" if lo == hi else f"{lo}-{hi}"
    return f"{span}{unit} [{', '.join(value['references'])}; {value['certainty']}]"


def _render_treatment(console: "Console", data: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    t = data["treatment"]
    body = Text()
    body.append(t["plain"] + "\n\n")
    body.append("How it works: ", style="bold")
    body.append(t["mechanism"] + "\n")
    body.append("Setting: ", style="bold")
    body.append(
        f"{t['setting']}   phase: {t['phase']}"
        + (f"   group: {t['group']}" if t["group"] else "")
        + "\n"
    )
    body.append("Sessions: ", style="bold")
    body.append(_cited(t["sessions"], "") + "\n")
    body.append("Interval: ", style="bold")
    body.append(_cited(t["interval_weeks"], " weeks") + "\n")
    body.append("Downtime: ", style="bold")
    body.append(_cited(t["downtime_days"], " days") + "\n")
    cost = t["cost"]
    body.append("Cost: ", style="bold")
    body.append(
        f"US${cost['range_usd'][0]:,}-{cost['range_usd'][1]:,} per {cost['per']} "
        f"({cost['year']} estimate) [{', '.join(cost['references'])}; {cost['certainty']}]\n"
    )
    ev = t["evidence"]
    body.append("Evidence: ", style="bold")
    body.append(f"{ev['level']} [{', '.join(ev['references'])}; {ev['certainty']}]\n")
    pih = t["pih_risk"]
    body.append("Dark-mark risk in darker skin: ", style="bold")
    body.append(f"{pih['level']} [{', '.join(pih['references'])}; {pih['certainty']}]")
    console.print(Panel(body, title=f"{t['name']} ({t['id']})", border_style="cyan"))
    table = Table(title="Fits", title_justify="left", show_lines=True, expand=True)
    for col in ("target", "line", "why", "refs"):
        table.add_column(col)
    for ind in t["indications"]:
        table.add_row(
            ind["target"],
            ind["line"],
            ind["note"],
            f"{', '.join(ind['references'])} ({ind['certainty']})",
        )
    console.print(table)
    if data["rules"]:
        rules = Table(
            title="Safety rules that name it", title_justify="left", show_lines=True, expand=True
        )
        for col in ("rule", "effect", "when", "text"):
            rules.add_column(col, overflow="fold")
        for r in data["rules"]:
            when = (
                "; ".join(f"{k} is {' or '.join(map(str, v))}" for k, v in r["when"].items())
                or "always"
            )
            rules.add_row(r["id"], r["effect"], when, r["text"])
        console.print(rules)
    for ref in data["references"]:
        ids = " ".join(
            x
            for x in (
                f"doi:{ref['doi']}" if ref["doi"] else "",
                f"PMID {ref['pmid']}" if ref["pmid"] else "",
                ref["pmcid"] or "",
            )
            if x
        )
        console.print(
            f"[{ref['id']}] {ref['citation']} {ids}".rstrip(), markup=False, highlight=False
        )


def _render_scar_type(console: "Console", data: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.text import Text

    s = data["scar_type"]
    body = Text()
    for label, key in (
        ("What it is", "plain"),
        ("How to recognise it", "recognise"),
        ("How it forms", "forms"),
        ("Note", "note"),
    ):
        body.append(f"{label}: ", style="bold")
        body.append(s[key] + "\n")
    body.append("Size: ", style="bold")
    body.append(
        f"{s['size']['text']} [{', '.join(s['size']['references'])}; {s['size']['certainty']}]\n"
    )
    body.append("First-line treatments: ", style="bold")
    body.append(", ".join(s["fits"]) or "none established")
    console.print(Panel(body, title=s["name"], border_style="cyan"))
