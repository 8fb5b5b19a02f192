"""Hostile zip archives, built by code: what an attacker or a failing disk hands to an import.

Each function takes a good export (``scarwise track export``) or nothing and writes a damaged or
malicious archive:

* :func:`with_bad_crc`, :func:`with_corrupt_data`, :func:`with_encryption_flag`,
  :func:`with_compression_method` patch one member's headers or data in place of a copy;
* :func:`with_two_documents` adds a second ``scarwise-export.json``;
* :func:`deflate_bomb` writes a document that inflates to ``size`` bytes (1.8 GB fit in a 1.8 MB
  zip), built from one compressed block repeated, so even gigabytes take a second to make;
  ``declared_size`` lets its headers lie about the size.

The zip layout (local header 30 bytes, central directory entry 46 bytes, end record 22 bytes)
is PKWARE's APPNOTE.TXT, section 4.3.
"""

from __future__ import annotations

import shutil
import struct
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Final

__all__ = [
    "DOCUMENT_NAME",
    "deflate_bomb",
    "with_bad_crc",
    "with_compression_method",
    "with_corrupt_data",
    "with_encryption_flag",
    "with_two_documents",
]

DOCUMENT_NAME: Final = "scarwise-export.json"
_LOCAL: Final = b"PK\x03\x04"
_CENTRAL: Final = b"PK\x01\x02"
_END: Final = b"PK\x05\x06"


def with_bad_crc(good: Path, out: Path, member: str = DOCUMENT_NAME) -> Path:
    """A copy whose ``member`` has a CRC-32 that does not match its data."""
    return _patched(good, out, member, crc_xor=0x1)


def with_corrupt_data(good: Path, out: Path, member: str = DOCUMENT_NAME) -> Path:
    """A copy with bytes in the middle of ``member``'s compressed data overwritten."""
    return _patched(good, out, member, damage_data=True)


def with_encryption_flag(good: Path, out: Path, member: str = DOCUMENT_NAME) -> Path:
    """A copy whose ``member`` says it is encrypted (general purpose flag bit 0)."""
    return _patched(good, out, member, flags_or=0x1)


def with_compression_method(
    good: Path, out: Path, method: int = 99, member: str = DOCUMENT_NAME
) -> Path:
    """A copy whose ``member`` names compression ``method`` (99: AE-x, which nothing here reads)."""
    return _patched(good, out, member, method=method)


def with_two_documents(good: Path, out: Path, second: bytes) -> Path:
    """A copy with a second ``scarwise-export.json`` (holding ``second``) after the first."""
    shutil.copyfile(good, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns "Duplicate name"
        with zipfile.ZipFile(out, "a") as zf:
            zf.writestr(DOCUMENT_NAME, second)
    return out


def deflate_bomb(
    out: Path,
    size: int,
    *,
    fill: bytes = b" ",
    prefix: bytes = b'{"schema": "scarwise-export/1", "people": [',
    suffix: bytes = b"]}",
    declared_size: int | None = None,
    name: str = DOCUMENT_NAME,
) -> Path:
    """A zip holding one deflated member of about ``size`` bytes: ``prefix``, ``fill`` repeated,
    ``suffix``. ``declared_size`` (default: the true size) goes into the headers."""
    chunk = fill * max(1, (1 << 20) // len(fill))
    repeats = max(0, (size - len(prefix) - len(suffix)) // len(chunk))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    if block != again:  # pragma: no cover - zlib resets its state on a full flush
        raise RuntimeError("zlib did not repeat a block after a full flush")
    tail = compressor.compress(suffix) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(repeats + 1):  # the check block above was compressed twice
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    true_size = len(prefix) + len(chunk) * (repeats + 1) + len(suffix)
    compressed = len(head) + len(block) * (repeats + 1) + len(tail)
    declared = true_size if declared_size is None else declared_size
    encoded = name.encode()
    local = struct.pack(
        "<4sHHHHHIIIHH", _LOCAL, 20, 0, 8, 0, 0x21, crc, compressed, declared, len(encoded), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        _CENTRAL,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        compressed,
        declared,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    with out.open("wb") as fh:
        fh.write(local + encoded)
        fh.write(head)
        for _ in range(repeats + 1):
            fh.write(block)
        fh.write(tail)
        start = fh.tell()
        fh.write(central + encoded)
        length = fh.tell() - start
        fh.write(struct.pack("<4sHHHHIIH", _END, 0, 0, 1, 1, length, start, 0))
    return out


def _patched(
    good: Path,
    out: Path,
    member: str,
    *,
    crc_xor: int = 0,
    flags_or: int = 0,
    method: int | None = None,
    damage_data: bool = False,
) -> Path:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(member)
        central_at = _central_entry(data, member)
    local_at = info.header_offset
    for at, crc_pos, flags_pos, method_pos in (
        (local_at, 14, 6, 8),
        (central_at, 16, 8, 10),
    ):
        crc = struct.unpack_from("<I", data, at + crc_pos)[0]
        struct.pack_into("<I", data, at + crc_pos, crc ^ crc_xor)
        flags = struct.unpack_from("<H", data, at + flags_pos)[0]
        struct.pack_into("<H", data, at + flags_pos, flags | flags_or)
        if method is not None:
            struct.pack_into("<H", data, at + method_pos, method)
    if damage_data:
        name_len, extra_len = struct.unpack_from("<HH", data, local_at + 26)
        start = local_at + 30 + name_len + extra_len
        middle = start + info.compress_size // 2
        data[middle : middle + 16] = b"\xff" * 16
    out.write_bytes(bytes(data))
    return out


def _central_entry(data: bytearray, member: str) -> int:
    encoded = member.encode()
    at = data.find(_CENTRAL)
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == encoded:
            return at
        at = data.find(_CENTRAL, at + 4)
    raise KeyError(member)
