"""The photo file store: stripped, re-encoded PNGs beside the database, named by their SHA-256.

Only what the intake gate produced is written here (:meth:`scarwise.intake.Photo.to_png_bytes`:
pixels, no EXIF, GPS or XMP). A file's name is the SHA-256 of its content
(``ab/abcdef....png``), so identical photos are stored once, a file can be checked against its
name at any time, and the database only records the hash.

Files are written before the database row commits (a crash leaves an unreferenced file, never a
row without its file) and removed only after the rows that named them are gone (the order and
the lock that keeps it are in :mod:`scarwise.store.locking`); :meth:`PhotoFiles.scan` finds
what a crash left behind for ``scarwise track doctor``. Folders are 0700 and files 0600.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from scarwise.errors import InternalError, Problem
from scarwise.store.privacy import PRIVATE_FILE, private_dir

__all__ = ["TEMP_PREFIX", "PhotoFiles", "PhotoScan", "sha256_hex"]

#: Name prefix of a file being written (renamed into place when complete).
TEMP_PREFIX: Final = ".tmp-"
_SHARD: Final = re.compile(r"[0-9a-f]{2}")
_NAME: Final = re.compile(r"([0-9a-f]{64})\.png")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class PhotoScan:
    """What lies in a photo folder: stored files by hash, temporaries, and anything else."""

    digests: set[str] = field(default_factory=set)
    temporaries: list[Path] = field(default_factory=list)
    unknown: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)


class PhotoFiles:
    """Content-addressed PNG files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise InternalError(problems=[Problem("sha256", "64 lowercase hex digits", sha256)])
        return self.root / sha256[:2] / f"{sha256}.png"

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; returns its SHA-256 and whether a new file was written."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.is_file():
            return digest, False
        private_dir(target.parent)
        # Write to a temporary file in the same directory, then rename: readers never see half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=".png")
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest, True

    def read(self, sha256: str) -> bytes:
        """The stored bytes, checked against their name (:class:`InternalError` if missing or
        corrupted: the hint points at ``scarwise track doctor``)."""
        try:
            data = self.path_for(sha256).read_bytes()
        except FileNotFoundError as err:
            raise InternalError(
                f"photo file {sha256[:12]}... is missing from {self.root}",
                hint="run 'scarwise track doctor' to see what else is missing; restore a backup",
            ) from err
        if sha256_hex(data) != sha256:
            raise InternalError(
                f"photo file {sha256[:12]}... does not match its checksum",
                hint="restore a backup to get the photo back",
            )
        return data

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def delete(self, digests: Iterable[str]) -> int:
        """Delete the files named by ``digests``; returns how many existed."""
        removed = 0
        for digest in set(digests):
            path = self.path_for(digest)
            if path.is_file():
                path.unlink()
                removed += 1
        return removed

    def all_digests(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/*.png")):
            yield path.stem

    def remove_unreferenced(self, referenced: set[str]) -> int:
        """Delete every stored file whose hash is not in ``referenced`` (hold the store lock
        exclusive: :mod:`scarwise.store.locking`)."""
        return self.delete(d for d in self.all_digests() if d not in referenced)

    def scan(self) -> PhotoScan:
        """Everything under the folder: stored files, temporaries (``.tmp-*``, left by a crash
        while writing) and anything else (never scarwise's)."""
        found = PhotoScan()
        if not self.root.is_dir():
            return found
        found.folders.append(self.root)
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file():
                found.temporaries.append(entry)
            elif entry.is_dir() and not entry.is_symlink() and _SHARD.fullmatch(entry.name):
                found.folders.append(entry)
                for item in sorted(entry.iterdir()):
                    match = _NAME.fullmatch(item.name)
                    if match and item.is_file() and item.name.startswith(entry.name):
                        found.digests.add(match.group(1))
                    elif item.name.startswith(TEMP_PREFIX) and item.is_file():
                        found.temporaries.append(item)
                    else:
                        found.unknown.append(item)
            else:
                found.unknown.append(entry)
        return found
