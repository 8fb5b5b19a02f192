"""The intake gate: untrusted image bytes in, a checked photo without metadata out; untrusted
JSON in, parsed within limits (:func:`read_json`).

A base-level package: imaging, the store's import and restore, the web app and the command line
all take photos through :func:`read_photo` / :func:`read_photo_file`, and it imports nothing of
scarwise but the error tree.
"""

from scarwise.intake.gate import (
    IntakeLimits,
    Photo,
    detect_format,
    image_pixels,
    read_photo,
    read_photo_file,
)
from scarwise.intake.json_gate import JsonLimits, json_shape, read_json

__all__ = [
    "IntakeLimits",
    "JsonLimits",
    "Photo",
    "detect_format",
    "image_pixels",
    "json_shape",
    "read_json",
    "read_photo",
    "read_photo_file",
]
