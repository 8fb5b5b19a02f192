"""The intake gate: untrusted image bytes in, a checked photo without metadata out.

A base-level package: imaging, the store's import and restore, the web app and the command line
all take photos through :func:`read_photo` / :func:`read_photo_file`, and it imports nothing of
scarwise but the error tree.
"""

from scarwise.intake.gate import IntakeLimits, Photo, detect_format, read_photo, read_photo_file

__all__ = [
    "IntakeLimits",
    "Photo",
    "detect_format",
    "read_photo",
    "read_photo_file",
]
