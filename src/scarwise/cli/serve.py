"""``scarwise serve``: start the web app and HTTP API (default ``127.0.0.1:8000``).

scarwise has no login: whoever reaches the server can read and change everything in the store.
So it binds to loopback by default, and binding to another address prints a plain warning
saying so. The server runs with the umask ``077``: every file it creates is owner-only.
"""

import typer

from scarwise.cli.output import stderr

__all__ = ["exposure_warning", "register"]


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
    from scarwise.cli.track._common import private_umask
    from scarwise.config import Settings
    from scarwise.web import create_app
    from scarwise.web.guard import is_loopback
    from scarwise.web.server import run

    settings = Settings(database_url=db) if db else Settings()
    console = stderr()
    if not is_loopback(host):
        console.print(
            f"[bold red]WARNING[/]: {exposure_warning(host)}", markup=True, highlight=False
        )
    app = create_app(settings, bind_host=host, allowed_hosts=allow_host, debug=debug)
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"scarwise {app.version} serving on http://{shown}:{port}/ (Ctrl+C stops)", markup=False
    )
    with private_umask():
        run(app, host=host, port=port, debug=debug)


def exposure_warning(host: str) -> str:
    """What binding to a non-loopback ``host`` means, in plain words."""
    return (
        f"binding to {host} makes scarwise reachable from other machines on your network. "
        "scarwise has no login: anyone who can reach this address can read every record and "
        "face photo in the store, and change or delete them. Use 127.0.0.1 (the default) "
        "unless every machine on this network is yours."
    )
