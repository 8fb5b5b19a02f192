"""The demo job (``scarwise demo``): bundled answers -> assessment and scores -> plan -> reports.

I/O at the edge: reads the bundled answers file and writes five files into one directory.
No network, no store.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import Field

from scarwise.assess import assess, demo_answers_path
from scarwise.errors import InvalidInput, Problem
from scarwise.planner import plan
from scarwise.reports.plan_report import write_plan_report
from scarwise.results import Result

__all__ = ["DemoResult", "run_demo"]


class DemoResult(Result):
    """The ``demo/1`` object: where the files are and the plan's summary."""

    schema_: str = Field(default="demo/1", alias="schema", serialization_alias="schema")
    directory: str
    files: dict[str, str]
    summary: str
    knowledge_base_version: str


def run_demo(out_dir: str | Path) -> DemoResult:
    """Run assess -> plan on the bundled demo answers and write profile, scores, plan and reports.

    Raises
    ------
    InvalidInput
        ``out_dir`` cannot be created or written.
    """
    directory = Path(out_dir).resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidInput(
            problems=[Problem("out", "a directory that can be created", str(directory))]
        ) from err
    answers = yaml.safe_load(demo_answers_path().read_text(encoding="utf-8"))
    assessment = assess(answers)
    result = plan(assessment.profile)
    data = assessment.to_json_dict()
    files = {
        "profile": directory / "profile.json",
        "scores": directory / "scores.json",
        "plan": directory / "plan.json",
        "markdown": directory / "plan.md",
        "html": directory / "plan.html",
    }
    try:
        files["profile"].write_text(
            json.dumps(data["profile"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        files["scores"].write_text(
            json.dumps(data["scores"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        files["plan"].write_text(
            json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_plan_report(result, files["markdown"], fmt="markdown", assessment=assessment)
        write_plan_report(result, files["html"], fmt="html", assessment=assessment)
    except OSError as err:
        raise InvalidInput(
            problems=[Problem("out", "a writable directory", f"{directory}: {err.strerror}")]
        ) from err
    return DemoResult(
        directory=str(directory),
        files={k: str(v) for k, v in files.items()},
        summary=result.summary,
        knowledge_base_version=result.knowledge_base_version,
    )
