"""The JSON Schemas of the profile (input) and the plan (``plan/1`` output).

The committed files in ``planner/schema/`` are generated from the models by
``python -m scarwise.planner.schemas`` and a test fails when they drift.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from scarwise.planner.models import Plan, Profile

__all__ = ["committed_schemas", "generate_schemas", "schema_dir", "write_schemas"]


def generate_schemas() -> dict[str, dict[str, Any]]:
    """``{file name: schema}`` built from the models now."""
    profile = Profile.model_json_schema(mode="validation")
    profile["$id"] = "https://scarwise.invalid/schema/profile.json"
    plan = Plan.model_json_schema(mode="serialization", by_alias=True)
    plan["$id"] = "https://scarwise.invalid/schema/plan-1.json"
    return {"profile.schema.json": profile, "plan-1.schema.json": plan}


def schema_dir() -> Path:
    return Path(str(resources.files("scarwise.planner") / "schema"))


def committed_schemas() -> dict[str, dict[str, Any]]:
    """The schemas as committed in the package."""
    return {
        name: json.loads((schema_dir() / name).read_text(encoding="utf-8"))
        for name in generate_schemas()
    }


def write_schemas(directory: Path | None = None) -> list[Path]:
    """Regenerate the committed schema files."""
    target = directory or schema_dir()
    written = []
    for name, schema in generate_schemas().items():
        path = target / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for written_path in write_schemas():
        print(written_path)
