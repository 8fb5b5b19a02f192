"""Reading an untrusted zip: every member named once, checked before it is read, read with a cap.

``zipfile`` trusts an archive more than an import may: it takes the last of two members with
the same name, believes the sizes in the headers, and reports a bad checksum, damaged compressed
data, an encrypted member or an unknown compression method as four different exceptions (one of
them ``RuntimeError``). Here each is an :class:`~scarwise.errors.InvalidInput` naming the member:

* :func:`open_archive` refuses what is not a zip;
* :func:`member_table` refuses two members with one name (two export documents, say);
* :func:`read_member` refuses an encrypted member or a method other than stored or deflated
  before reading, then reads at most ``limit`` bytes whatever the header says, so a member that
  inflates to gigabytes stops at the cap.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Final

from scarwise.errors import InvalidInput, NotFound, Problem

__all__ = ["member_table", "open_archive", "read_member"]

_METHODS: Final = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_ENCRYPTED: Final = 0x1
_CHUNK: Final = 1 << 20
#: What ``zipfile`` and ``zlib`` raise on a damaged or unsupported archive.
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def open_archive(path: Path, *, expected: str) -> zipfile.ZipFile:
    """Open the zip at ``path`` (:class:`NotFound` if missing, :class:`InvalidInput` if not a
    zip); ``expected`` says what it should be, for the message."""
    if not path.is_file():
        raise NotFound(problems=[Problem("file", f"an existing {expected}", str(path))])
    try:
        return zipfile.ZipFile(path)
    except _ZIP_ERRORS as err:
        raise InvalidInput(problems=[Problem("file", expected, "not a readable zip")]) from err


def member_table(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by name (:class:`InvalidInput` if a name occurs twice)."""
    counts = Counter(info.filename for info in zf.infolist())
    twice = sorted(name for name, n in counts.items() if n > 1)
    if twice:
        raise InvalidInput(
            problems=[
                Problem(name, "one member of this name", f"{counts[name]} members")
                for name in twice[:20]
            ],
            hint="the archive was altered after it was made; use the original",
        )
    return {info.filename: info for info in zf.infolist()}


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, at most ``limit`` of them.

    Raises
    ------
    InvalidInput
        Encrypted, compressed with another method than stored or deflated, larger than
        ``limit`` (by its header or while inflating), or damaged (bad CRC-32, corrupt
        compressed data, truncated).
    """
    name = info.filename
    if info.flag_bits & _ENCRYPTED:
        raise InvalidInput(problems=[Problem(name, "a member that is not encrypted", "encrypted")])
    if info.compress_type not in _METHODS:
        raise InvalidInput(
            problems=[
                Problem(
                    name, "a stored or deflated member", f"compression method {info.compress_type}"
                )
            ]
        )
    if info.file_size > limit:
        raise InvalidInput(problems=[Problem(name, f"at most {limit} bytes", info.file_size)])
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as fh:
            # In small pieces: zipfile inflates as much as it is asked for before it cuts the
            # data at the size its header gives, so one large read of a lying member would
            # inflate up to the whole limit at once.
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(
                        problems=[Problem(name, f"at most {limit} bytes", f"more than {limit}")]
                    )
                chunks.append(chunk)
    except _ZIP_ERRORS as err:  # the CRC-32 is checked when the end is reached
        raise InvalidInput(
            problems=[Problem(name, "an intact member", "damaged data (checksum or compression)")]
        ) from err
    return b"".join(chunks)
