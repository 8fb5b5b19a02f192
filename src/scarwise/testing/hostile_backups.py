"""Damaged and malicious backups, built by code from a good one (``scarwise track backup``).

A backup is a SQLite file ``X.db`` and its photo folder ``X-photos/``. Each function changes a
backup in place the way a failing disk, a crash or an attacker would:

* :func:`set_revision`: a schema revision from a newer (or an unknown) scarwise;
* :func:`corrupt_page`: garbage over one page of the table ``notes``;
* :func:`plant_trigger`, :func:`plant_view`, :func:`plant_table`: schema objects scarwise never
  makes (``CREATE TRIGGER ... DELETE FROM people`` fires on the next note);
* :func:`replace_photo_with`: a photo file swapped for other bytes, with the row following it
  (the hash matches: only the intake gate can tell a non-image);
* :func:`damage_photo`: a photo file whose bytes no longer match its name;
* :func:`add_stray_temporary`: the ``.tmp-*.png`` a crash during a write leaves.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

__all__ = [
    "add_stray_temporary",
    "backup_photo_files",
    "corrupt_page",
    "damage_photo",
    "plant_table",
    "plant_trigger",
    "plant_view",
    "replace_photo_with",
    "set_revision",
]


def backup_photo_files(db_file: Path) -> list[Path]:
    """The photo files of the backup ``db_file``, sorted."""
    return sorted(db_file.with_name(f"{db_file.stem}-photos").glob("??/*.png"))


def _execute(db_file: Path, statement: str, parameters: tuple[str, ...] = ()) -> None:
    con = sqlite3.connect(db_file)
    try:
        with con:
            con.execute(statement, parameters)
    finally:
        con.close()


def set_revision(db_file: Path, revision: str) -> None:
    """Claim schema revision ``revision``."""
    _execute(db_file, "UPDATE alembic_version SET version_num = ?", (revision,))


def corrupt_page(db_file: Path) -> None:
    """Overwrite the middle of the first page of the table ``notes`` with garbage."""
    con = sqlite3.connect(db_file)
    try:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
    finally:
        con.close()
    with db_file.open("r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xa5" * (page_size // 2))


def plant_trigger(db_file: Path) -> None:
    """A trigger that deletes everyone when a note is added."""
    _execute(
        db_file,
        "CREATE TRIGGER wipe AFTER INSERT ON notes BEGIN DELETE FROM people; END",
    )


def plant_view(db_file: Path) -> None:
    """A view scarwise never makes."""
    _execute(db_file, "CREATE VIEW everyone AS SELECT name FROM people")


def plant_table(db_file: Path) -> None:
    """A table scarwise never makes."""
    _execute(db_file, "CREATE TABLE exfiltrate (data TEXT)")


def replace_photo_with(db_file: Path, content: bytes) -> str:
    """Put ``content`` in the backup's photo folder under its own hash and point the first
    photo row at it; returns the new hash."""
    digest = hashlib.sha256(content).hexdigest()
    folder = db_file.with_name(f"{db_file.stem}-photos") / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.png").write_bytes(content)
    _execute(
        db_file,
        "UPDATE photos SET sha256 = ? WHERE id = (SELECT min(id) FROM photos)",
        (digest,),
    )
    return digest


def damage_photo(db_file: Path, index: int = 0) -> Path:
    """Flip bytes in the middle of one photo file (its name no longer matches)."""
    path = backup_photo_files(db_file)[index]
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))
    return path


def add_stray_temporary(db_file: Path, content: bytes = b"\x89PNG\r\n\x1a\n half") -> Path:
    """A ``.tmp-*.png`` in one of the backup's shard folders, as a crash while writing leaves."""
    folder = backup_photo_files(db_file)[0].parent
    path = folder / ".tmp-k3j4h5.png"
    path.write_bytes(content)
    return path
