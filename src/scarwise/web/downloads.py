"""Files made for one download (a progress report, an export zip), served and never left behind.

The workflow writes the file into a new owner-only temporary directory (``mkdtemp``: 0700); the
file is opened, the directory removed at once (on POSIX an open file outlives its name, so the
bytes are streamed from the handle and nothing of them stays on disk, whatever the client
does), and the response streams the handle. Where an open file cannot be removed (Windows), the
bytes are read into memory first and the directory removed before answering.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

from fastapi.responses import Response, StreamingResponse

__all__ = ["CHUNK_BYTES", "download"]

CHUNK_BYTES: Final = 1 << 16


def download(make: Callable[[Path], Any], filename: str, media_type: str) -> Response:
    """Run ``make(path)`` to write ``filename`` and answer with it as an attachment.

    ``filename`` is a plain name chosen by the caller (no patient data, no path).
    """
    folder = Path(tempfile.mkdtemp(prefix="scarwise-download-"))
    try:
        path = folder / filename
        make(path)
        size = path.stat().st_size
        handle = path.open("rb")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(size),
    }
    try:
        shutil.rmtree(folder)
    except OSError:  # an open file cannot be removed here: send it from memory
        with handle:
            data = handle.read()
        shutil.rmtree(folder, ignore_errors=True)
        return Response(data, media_type=media_type, headers=headers)
    return StreamingResponse(_chunks(handle), media_type=media_type, headers=headers)


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
