"""``scarwise score``: score one validated scale, or list them."""

from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import emit, json_requested
from scarwise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "score",
        help="Score one validated scale (gb-qualitative, gb-quantitative, ecca, scar-s, fitzpatrick).",
    )(score_command)


def score_command(
    ctx: typer.Context,
    scale: str | None = typer.Argument(None, help="Scale id; see --list."),
    input_file: str | None = typer.Option(
        None, "--input", "-i", help="JSON or YAML input file; '-' reads stdin."
    ),
    list_scales: bool = typer.Option(
        False, "--list", help="List the scales with their references."
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.documents import load_document
    from scarwise.scales import SCALES, score

    json_mode = json_requested(ctx, json_output)
    if list_scales:
        listing: dict[str, Any] = {
            "ok": True,
            "schema": "scale-list/1",
            "scarwise_version": _version(),
            "scales": [
                {
                    "id": s.id,
                    "name": s.name,
                    "max": s.max,
                    "reference": s.provenance.reference,
                    "doi": s.provenance.doi,
                    "pmid": s.provenance.pmid,
                    "scoring_certainty": s.provenance.scoring_certainty,
                }
                for s in SCALES.values()
            ],
        }
        emit(listing, json_mode=json_mode, render=lambda c: _render_list(c, listing))
        return
    if scale is None:
        raise UsageError(
            "missing argument SCALE (or use --list)", hint="see 'scarwise score --help'"
        )
    if input_file is None:
        raise UsageError("missing option --input FILE", hint="see 'scarwise score --help'")
    from scarwise.scales import get_scale

    get_scale(scale)  # an unknown scale is 'not found' before the file is read
    result = score(scale, load_document(input_file))
    emit(result, json_mode=json_mode, render=lambda c: _render_result(c, result.to_json_dict()))


def _version() -> str:
    from scarwise._version import __version__

    return __version__


def _render_list(console: "Console", listing: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="Scales")
    for col in ("id", "name", "max", "reference", "scoring"):
        table.add_column(col)
    for s in listing["scales"]:
        table.add_row(s["id"], s["name"], str(s["max"]), s["reference"], s["scoring_certainty"])
    console.print(table)


def _render_result(console: "Console", data: dict[str, Any]) -> None:
    from rich.table import Table

    head = f"[bold]{data['scale']}[/]: {data['score']} / {data['max']}"
    for extra in ("label", "type_roman", "region"):
        if extra in data:
            head += f"   {extra}: {data[extra]}"
    console.print(head)
    items = data.get("items") or []
    if items:
        table = Table(show_header=True)
        keys = list(dict.fromkeys(k for row in items for k in row))
        for k in keys:
            table.add_column(k)
        for row in items:
            table.add_row(*("" if row.get(k) is None else str(row.get(k)) for k in keys))
        console.print(table)
    prov = data["provenance"]
    console.print(
        f"reference: {data['reference']}" + (f" (doi:{prov['doi']})" if prov.get("doi") else "")
    )
    console.print(f"scoring certainty: {prov['scoring_certainty']} - {prov['note']}", markup=False)
