"""The web app and HTTP API behind ``scarwise serve`` (``contracts/cli.md``, HTTP API).

Importing this package needs the ``web`` extra (FastAPI, uvicorn, python-multipart, WeasyPrint).
"""

from scarwise.web.app import create_app

__all__ = ["create_app"]
