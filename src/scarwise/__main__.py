"""The ``scarwise`` console script and ``python -m scarwise``.

``scarwise --version`` is answered here, before the command-line framework (typer, click, rich)
is imported, so that it costs little more than starting Python; everything else goes to
:func:`scarwise.cli.main.run`.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Run the command line with ``sys.argv``."""
    if sys.argv[1:] == ["--version"]:
        from scarwise._version import __version__

        sys.stdout.write(f"scarwise {__version__}\n")
        return
    from scarwise.cli.main import run

    run()


if __name__ == "__main__":
    main()
