"""``scarwise serve``: start the web app and HTTP API (default ``127.0.0.1:8000``)."""

from __future__ import annotations

import typer

from scarwise.cli.output import stderr

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "serve",
        help="Start the web app and the HTTP API on this computer (default 127.0.0.1:8000).",
    )(serve_command)


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; anything but loopback exposes your data."
    ),
    port: int = typer.Option(
        8000, "--port", min=0, max=65535, help="TCP port (0 picks a free one)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Store URL (default: SCARWISE_DATABASE_URL, else SQLite in the data dir).",
    ),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Extra Host header value to answer (e.g. this machine's LAN name); repeatable.",
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Accepted for symmetry; serve prints no result."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Log tracebacks of internal errors (never sent to clients)."
    ),
) -> None:
    from scarwise.config import Settings
    from scarwise.web import create_app
    from scarwise.web.guard import is_loopback
    from scarwise.web.server import run

    settings = Settings(database_url=db) if db else Settings()
    console = stderr()
    if not is_loopback(host):
        console.print(
            f"[bold red]WARNING[/]: binding to {host} makes scarwise reachable from other machines on your "
            "network. It has no login outside clinic mode, and it holds health data and face photos. "
            "Use 127.0.0.1 unless you know exactly why not.",
            markup=True,
            highlight=False,
        )
    app = create_app(settings, bind_host=host, allowed_hosts=allow_host, debug=debug)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"scarwise {app.version} serving on http://{shown}:{port}/ (Ctrl+C stops)", markup=False
    )
    run(app, host=host, port=port, debug=debug)
