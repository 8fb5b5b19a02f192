"""Regimen frequencies: how many doses of a home-care step are due per day.

A frequency is a word people use (``daily``, ``twice-daily``, ``every-other-day``, ``weekly``,
``twice-weekly``) or the general forms ``Nx-daily``, ``Nx-weekly`` and ``every-N-days``.
Frequencies are parsed, never guessed: an unknown word is :class:`~scarwise.InvalidInput`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from scarwise.errors import InvalidInput, Problem
from scarwise.tracking.models import RegimenItemRecord

__all__ = ["FREQUENCY_WORDS", "Frequency", "active_days", "parse_frequency"]


@dataclass(frozen=True, slots=True)
class Frequency:
    """``doses`` doses every ``period_days`` days."""

    doses: int
    period_days: int

    @property
    def per_day(self) -> float:
        return self.doses / self.period_days


FREQUENCY_WORDS: dict[str, Frequency] = {
    "daily": Frequency(1, 1),
    "once-daily": Frequency(1, 1),
    "twice-daily": Frequency(2, 1),
    "every-other-day": Frequency(1, 2),
    "weekly": Frequency(1, 7),
    "twice-weekly": Frequency(2, 7),
    "three-times-weekly": Frequency(3, 7),
}

_TIMES = re.compile(r"^(?P<n>[1-9][0-9]?)x-(?P<unit>daily|weekly)$")
_EVERY = re.compile(r"^every-(?P<d>[1-9][0-9]{0,2})-days$")
_EXPECTED = (
    "daily, twice-daily, every-other-day, weekly, twice-weekly, Nx-daily, Nx-weekly or every-N-days"
)


def parse_frequency(text: str, *, field: str = "frequency") -> Frequency:
    """The :class:`Frequency` named by ``text``; :class:`InvalidInput` if it names none."""
    word = text.strip().lower()
    if word in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[word]
    if m := _TIMES.match(word):
        return Frequency(int(m["n"]), 1 if m["unit"] == "daily" else 7)
    if m := _EVERY.match(word):
        return Frequency(1, int(m["d"]))
    raise InvalidInput(problems=[Problem(field, _EXPECTED, text)])


def active_days(item: RegimenItemRecord, start: date, end: date) -> list[date]:
    """The UTC days from ``start`` to ``end`` (inclusive) on which ``item`` was running.

    An item runs from its start day up to, but not including, its stop day.
    """
    first = max(start, item.start.date())
    last = end if item.stop is None else min(end, item.stop.date() - timedelta(days=1))
    if last < first:
        return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
