"""Reading the dates people type: ISO 8601 dates or date-times, always timezone-aware.

A bare date (``2026-03-01``) means midnight UTC of that day; a date-time must carry its offset
(``2026-03-01T08:30+02:00``), because a time without a zone is ambiguous. Everything is stored
and returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from scarwise.errors import InvalidInput, Problem

__all__ = ["day_start", "parse_when", "to_utc"]

_EXPECTED = "an ISO 8601 date (2026-03-01) or date-time with offset (2026-03-01T08:30+02:00)"


def parse_when(text: str | date | datetime, *, field: str = "date") -> datetime:
    """Parse ``text`` into an aware UTC :class:`~datetime.datetime`.

    Raises
    ------
    InvalidInput
        Not ISO 8601, or a date-time without an offset.
    """
    if isinstance(text, datetime):
        return to_utc(text, field=field)
    if isinstance(text, date):
        return day_start(text)
    raw = text.strip()
    try:
        if len(raw) == 10:
            return day_start(date.fromisoformat(raw))
        value = datetime.fromisoformat(raw)
    except ValueError as err:
        raise InvalidInput(problems=[Problem(field, _EXPECTED, text)]) from err
    return to_utc(value, field=field)


def to_utc(value: datetime, *, field: str = "date") -> datetime:
    """``value`` in UTC; a naive date-time is :class:`InvalidInput` (its zone is unknown)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            problems=[
                Problem(field, "a date-time with a UTC offset (e.g. +00:00)", value.isoformat())
            ]
        )
    return value.astimezone(UTC)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)
