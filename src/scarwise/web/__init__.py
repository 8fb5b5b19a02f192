"""The web app and HTTP API behind ``scarwise serve`` (``contracts/cli.md``, HTTP API).

Importing this package needs the ``web`` extra (FastAPI, uvicorn, python-multipart, WeasyPrint).
Layout: ``app`` wires ``context`` (settings, templates, store), ``guard`` (the ASGI layer for
hosts, body limits, CSRF cookie and security headers), ``errors`` (exception handlers) and the
routers of ``routes``.
"""

from scarwise.web.app import create_app

__all__ = ["create_app"]
