"""The treatment plan as a printable Markdown or HTML report (one context, two renderings).

The context is the ``plan/1`` object itself (``Plan.to_json_dict()``), optionally with the
``assessment/1`` object that produced its profile, so the report can never say more than the plan.
HTML is rendered by Jinja2 with autoescaping on (template ``templates/plan.html``); it is
self-contained (inline CSS, no scripts, no network) and prints on A4/Letter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scarwise.errors import InvalidInput, Problem
from scarwise.knowledge import load_knowledge_base
from scarwise.planner.models import Plan

__all__ = ["render_html", "render_markdown", "write_plan_report"]

_TARGET_NAMES = {
    "icepick": "icepick scars",
    "boxcar_shallow": "shallow boxcar scars",
    "boxcar_deep": "deep boxcar scars",
    "rolling": "rolling scars",
    "hypertrophic": "hypertrophic scars",
    "keloid": "keloids",
    "papular": "papular scars",
    "erythema": "red marks",
    "hyperpigmentation": "brown marks",
    "hypopigmentation": "white marks",
    "active_acne": "active acne",
    "all": "all skin",
}


def _span(pair: list[int] | None, unit: str = "") -> str:
    if not pair:
        return "ongoing"
    lo, hi = pair
    return f"{lo}{unit}" if lo == hi else f"{lo}–{hi}{unit}"


def _money(pair: list[int]) -> str:
    lo, hi = pair
    return f"${lo:,}" if lo == hi else f"${lo:,}–${hi:,}"


#: What the evidence certainty words mean (clinical-facts "How to read the status tags").
CERTAINTY_LEGEND = {
    "verified": "read in the source during our research",
    "secondary": "seen only in a secondary source; to be confirmed against the paper",
    "memory": "from expert recall of the literature; provisional until checked",
    "derived": "worked out from other facts",
}


def _names() -> dict[str, str]:
    return {tid: t.name for tid, t in load_knowledge_base().treatments.items()}


def _context(plan: Plan, assessment: Any | None) -> dict[str, Any]:
    data = plan.to_json_dict()
    scores = None
    if assessment is not None:
        scores = (
            assessment.to_json_dict()["scores"]
            if hasattr(assessment, "to_json_dict")
            else assessment["scores"]
        )
    return {
        "plan": data,
        "scores": scores,
        "target_names": _TARGET_NAMES,
        "names": _names(),
        "legend": CERTAINTY_LEGEND,
    }


def render_html(plan: Plan, assessment: Any | None = None) -> str:
    """The plan as a self-contained, printable HTML page."""
    env = Environment(
        loader=PackageLoader("scarwise.reports", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["span"] = _span
    env.filters["money"] = _money
    return env.get_template("plan.html").render(**_context(plan, assessment))


def render_markdown(plan: Plan, assessment: Any | None = None) -> str:
    """The plan as Markdown (plain text that reads well and prints)."""
    ctx = _context(plan, assessment)
    p = ctx["plan"]
    out: list[str] = ["# Your acne-scar treatment plan", ""]
    if p["urgent"]:
        out += ["## Act now", ""] + [f"- **{u}**" for u in p["urgent"]] + [""]
    out += [f"> **{p['disclaimer']}**", "", p["summary"], ""]
    if ctx["scores"]:
        out += ["## Your scores", "", "| scale | score | result |", "| --- | --- | --- |"]
        for name, s in ctx["scores"].items():
            extra = s.get("label") or (f"type {s['type_roman']}" if "type_roman" in s else "")
            out.append(f"| {name} | {s['score']} / {s['max']} | {extra} |")
        out.append("")
    for phase in p["phases"]:
        out += [
            f"## Step {phase['order']}: {phase['name']} (from week {phase['starts_after_weeks']})",
            "",
            f"_{phase['purpose']}_",
            "",
        ]
        for rec in phase["recommendations"]:
            targets = ", ".join(_TARGET_NAMES.get(t, t) for t in rec["targets"])
            ev = rec["evidence"]
            sessions = _span(rec["sessions"])
            if rec["interval_weeks"]:
                sessions += f", every {_span(rec['interval_weeks'], ' weeks')}"
            out += [f"### {rec['name']} ({rec['setting']})", ""]
            if rec["starts_after_weeks"]:
                out.append(f"- **Not before:** week {rec['starts_after_weeks']}")
            out += [
                f"- **For:** {targets}",
                f"- **Why:** {rec['rationale']}",
                f"- **Evidence:** {ev['level']} [{', '.join(ev['references'])}] (certainty: {ev['certainty']})",
                f"- **Sessions:** {sessions}",
                f"- **Downtime per session:** {_span(rec['downtime_days'], ' days')}",
                f"- **Estimated cost:** {_money(rec['cost_usd'])} ({rec['cost_source_year']} estimate, not a quote)",
            ]
            out += [f"- **Caution:** {c}" for c in rec["cautions"]]
            if rec["alternatives"]:
                alts = ", ".join(ctx["names"].get(a, a) for a in rec["alternatives"])
                out.append(f"- **Alternatives to discuss:** {alts}")
            out.append("")
    if p["excluded"]:
        out += [
            "## Not in this plan",
            "",
            "| treatment | why | references |",
            "| --- | --- | --- |",
        ]
        out += [
            f"| {ctx['names'].get(e['treatment'], e['treatment'])} | {e['kind']}: {e['reason']} | "
            f"{', '.join(e['references'])} |"
            for e in p["excluded"]
        ]
        out.append("")
    if p["not_chosen"]:
        out += ["## Your preferences not in this plan", ""]
        out += [
            f"- **{ctx['names'].get(n['treatment'], n['treatment'])}:** {n['reason']}"
            for n in p["not_chosen"]
        ]
        out.append("")
    out += ["## Warnings", ""] + [f"- {w}" for w in p["warnings"]] + [""]
    out += (
        ["## Who to see", ""] + [f"- **{r['to']}:** {r['reason']}" for r in p["referrals"]] + [""]
    )
    out += ["## Preventing new scars", ""] + [f"- {t}" for t in p["prevention"]] + [""]
    b = p["budget"]
    out += ["## Cost", "", b["note"], ""]
    out += [
        "## References",
        "",
        "Evidence certainty: "
        + "; ".join(f"*{k}* = {v}" for k, v in CERTAINTY_LEGEND.items())
        + ".",
        "",
    ]
    for ref in p["references"]:
        ids = " ".join(
            x
            for x in (
                f"doi:{ref['doi']}" if ref["doi"] else "",
                f"PMID {ref['pmid']}" if ref["pmid"] else "",
            )
            if x
        )
        out.append(f"- [{ref['id']}] {ref['citation']} {ids}".rstrip())
    out += [
        "",
        f"_scarwise {p['scarwise_version']}, knowledge base {p['knowledge_base_version']}._",
        "",
    ]
    return "\n".join(out)


def write_plan_report(
    plan: Plan,
    out: str | Path,
    *,
    fmt: Literal["markdown", "html"] | str,
    assessment: Any | None = None,
) -> Path:
    """Write the report; the parent directory must exist."""
    path = Path(out)
    if not path.parent.is_dir() or path.is_dir():
        raise InvalidInput(problems=[Problem("out", "a file in an existing directory", str(path))])
    text = render_html(plan, assessment) if fmt == "html" else render_markdown(plan, assessment)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InvalidInput(
            problems=[Problem("out", "a writable file", f"{path}: {err.strerror}")]
        ) from err
    return path
