"""The store lock: an advisory file lock that orders photo-file changes with row changes.

Photo files and photo rows cannot change in one transaction, so three rules keep them in step,
with one lock file per photo folder (``.<photo folder>.lock`` beside it, 0600):

* a **writer** (photo add, import) holds the lock *shared* from writing the file until its rows
  have committed, so many writers run at once;
* whoever **removes files** (the purge after a person is deleted, a refused photo cleaned up,
  ``doctor --fix``) holds it *exclusive*, and looks at the rows again inside it: a file a
  committed row names is never removed, and a writer between its file and its row is waited for;
* a **restore** holds it exclusive while it adds the backup's files, swaps the database and
  removes the files the restored rows no longer name.

The lock is ``flock(2)`` (POSIX systems; ``msvcrt.locking`` on Windows, where both modes are
exclusive). Each acquisition opens the file anew, so threads of one process exclude each other
just as processes do; the kernel releases a lock when its holder dies, so a killed process never
leaves the store locked. Locks are always taken before a database transaction begins, never
inside one, so a lock holder and a database writer cannot wait for each other.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from scarwise.errors import UsageError
from scarwise.store.privacy import PRIVATE_FILE, private_dir

__all__ = ["WRITER_WAIT_S", "StoreLock", "lock_path_for"]

#: How long a writer waits for a restore or a clean-up to finish before giving up, seconds.
WRITER_WAIT_S: Final = 300.0
_POLL_S: Final = 0.02


def lock_path_for(photo_dir: Path) -> Path:
    """The lock file of a photo folder: ``.<name>.lock`` beside it."""
    return photo_dir.parent / f".{photo_dir.name}.lock"


class StoreLock:
    """Shared and exclusive advisory locks on one lock file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def shared(self, wait_s: float = WRITER_WAIT_S) -> Iterator[None]:
        """Hold the lock shared (writers); waits up to ``wait_s`` for an exclusive holder."""
        fd = self._acquire(exclusive=False, wait_s=wait_s)
        if fd is None:
            raise _busy(wait_s)
        try:
            yield
        finally:
            _release(fd)

    @contextlib.contextmanager
    def exclusive(self, wait_s: float = WRITER_WAIT_S) -> Iterator[None]:
        """Hold the lock exclusive (file removal, restore); waits up to ``wait_s``."""
        fd = self._acquire(exclusive=True, wait_s=wait_s)
        if fd is None:
            raise _busy(wait_s)
        try:
            yield
        finally:
            _release(fd)

    @contextlib.contextmanager
    def try_exclusive(self, wait_s: float) -> Iterator[bool]:
        """Hold the lock exclusive if it comes within ``wait_s``; yields whether it did."""
        fd = self._acquire(exclusive=True, wait_s=wait_s)
        try:
            yield fd is not None
        finally:
            if fd is not None:
                _release(fd)

    def _acquire(self, *, exclusive: bool, wait_s: float) -> int | None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        deadline = time.monotonic() + wait_s
        try:
            while not _try_lock(fd, exclusive=exclusive):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return None
                time.sleep(_POLL_S)
        except BaseException:
            os.close(fd)
            raise
        return fd


def _busy(wait_s: float) -> UsageError:
    return UsageError(
        f"the store is busy: a restore or clean-up did not finish within {wait_s:g} s",
        hint="try again in a moment",
    )


if sys.platform == "win32":  # pragma: no cover - the test suite runs on POSIX
    import msvcrt

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

else:
    import fcntl

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
