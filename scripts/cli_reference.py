#!/usr/bin/env python3
"""Write docs/cli-reference.md from every command's ``--help`` (run with ``--check`` to compare).

The reference is generated, never written by hand; ``tests/cli/test_cli_reference.py`` fails when
it is out of date. Regenerate with ``.venv/bin/python scripts/cli_reference.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "cli-reference.md"


def _paths() -> list[list[str]]:
    from scarwise.cli.main import app

    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(command: object, prefix: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return found


def _help(path: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    proc = subprocess.run(  # noqa: S603 - our own interpreter and command names
        [sys.executable, "-m", "scarwise", *path, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return proc.stdout.rstrip()


def render() -> str:
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `scripts/cli_reference.py`; do not edit by hand.",
        "The contract for `--json` outputs and exit codes is `../shared/contracts/cli.md`.",
    ]
    for path in _paths():
        title = " ".join(["scarwise", *path])
        parts += ["", f"## `{title}`", "", "```text", _help(path), "```"]
    return "\n".join(parts) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
