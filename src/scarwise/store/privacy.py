"""Owner-only files: what scarwise writes about people is readable by the owner alone.

Directories scarwise creates are ``0700`` and files ``0600`` whatever the process umask: the
SQLite database (SQLite gives its ``-wal`` and ``-shm`` files the database file's mode), the
photo files and their folders, exports, backups, the lock file and the web app's secret. A
directory that already existed (a home directory, ``/tmp``) is left as it is; a file or folder
of scarwise's own that an older version created world-readable is tightened when the store
opens it (:func:`tighten`), and ``scarwise track doctor`` reports and fixes any it finds.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "create_private",
    "loose",
    "open_private",
    "private_dir",
    "tighten",
]

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a directory; the ones created here (``path`` and missing parents) are 0700."""
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=PRIVATE_DIR)
            os.chmod(directory, PRIVATE_DIR)  # mkdir's mode passes through the umask
    return path


def create_private(path: Path) -> bool:
    """Create the empty file ``path`` as 0600 unless it exists; whether it was created."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


@contextlib.contextmanager
def open_private(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for writing (created or truncated), owner-only whatever the umask."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    if hasattr(os, "fchmod"):  # an existing file keeps its mode through O_TRUNC: set it
        os.fchmod(fd, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as fh:
        yield fh


def loose(path: Path) -> bool:
    """Whether ``path`` exists and others than its owner may read, write or enter it."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    return not stat.S_ISLNK(mode) and bool(mode & 0o077)


def tighten(path: Path) -> bool:
    """Make ``path`` (a file or directory of scarwise's own) owner-only; whether it changed.

    Symbolic links and files of other users are left alone.
    """
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    wanted = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE
    os.chmod(path, stat.S_IMODE(st.st_mode) & wanted)
    return True
