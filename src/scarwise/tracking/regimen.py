"""Regimen frequencies: how many doses of a home-care step are due per day.

A frequency is a word or phrase people use: ``daily``, ``twice daily``, ``once a day``,
``nightly``, ``every other day``, ``3 times a week``, ``weekly``, ``every 3 days``,
``every 2 weeks`` (hyphens and spaces alike, any case), or the short forms ``Nx-daily``,
``Nx-weekly`` and ``every-N-days``. :func:`frequency_name` gives the short form every phrase
stands for (``twice a day`` is ``twice-daily``), and :attr:`Frequency.words` says it back in
plain words. Frequencies are parsed, never guessed: a phrase that names no frequency
(``sometimes``, ``biweekly``, which means both twice a week and every two weeks) is
:class:`~scarwise.InvalidInput`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from scarwise.errors import InvalidInput, Problem
from scarwise.tracking.models import RegimenItemRecord

__all__ = [
    "FREQUENCY_EXAMPLES",
    "FREQUENCY_WORDS",
    "Frequency",
    "active_days",
    "canonical_frequency",
    "frequency_name",
    "parse_frequency",
]

_MAX_DOSES: Final = 99
_MAX_PERIOD_DAYS: Final = 999


@dataclass(frozen=True, slots=True)
class Frequency:
    """``doses`` doses every ``period_days`` days."""

    doses: int
    period_days: int

    @property
    def per_day(self) -> float:
        return self.doses / self.period_days

    @property
    def words(self) -> str:
        """The frequency in plain words (``twice a day``, ``every other day``, ``3 times a week``)."""
        times = {1: "once", 2: "twice"}.get(self.doses, f"{self.doses} times")
        if self.period_days == 1:
            return f"{times} a day"
        if self.period_days == 7:
            return f"{times} a week"
        if self.doses == 1:
            if self.period_days == 2:
                return "every other day"
            if self.period_days % 7 == 0:
                return f"every {self.period_days // 7} weeks"
            return f"every {self.period_days} days"
        return f"{times} every {self.period_days} days"


FREQUENCY_WORDS: dict[str, Frequency] = {
    "daily": Frequency(1, 1),
    "once-daily": Frequency(1, 1),
    "twice-daily": Frequency(2, 1),
    "every-other-day": Frequency(1, 2),
    "weekly": Frequency(1, 7),
    "twice-weekly": Frequency(2, 7),
    "three-times-weekly": Frequency(3, 7),
}

#: Phrases a form may suggest: each one parses (a test checks).
FREQUENCY_EXAMPLES: Final = (
    "once a day",
    "twice a day",
    "every night",
    "every other day",
    "3 times a week",
    "twice a week",
    "once a week",
    "every 3 days",
)

_TIMES = re.compile(r"^(?P<n>[1-9][0-9]?)x-(?P<unit>daily|weekly)$")
_EVERY = re.compile(r"^every-(?P<d>[1-9][0-9]{0,2})-days$")
_EXPECTED = (
    "a frequency such as daily, twice daily, once a day, nightly, every other day, "
    "3 times a week, weekly, every 3 days or every 2 weeks"
)

# Phrases, after _normalise: a count, then a period.
_NUMBERS: Final = {
    "once": 1, "one": 1, "a": 1, "twice": 2, "two": 2, "thrice": 3, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_COUNT = r"(?P<n>[1-9][0-9]?|once|one|a|twice|two|thrice|three|four|five|six|seven|eight|nine|ten)"
_TIMES_WORD = r"(?:\s*x|\s+times?)?"
_PER = r"(?:a|an|per|each|every|in\s+a|in\s+the)"
_DAY_WORDS: Final = {"day": 1, "night": 1, "evening": 1, "morning": 1, "week": 7}
_PHRASES: Final = (
    # "twice daily", "3x weekly", "3 times daily", "once nightly"
    re.compile(rf"^{_COUNT}{_TIMES_WORD}\s+(?P<unit>daily|nightly|weekly)$"),
    # "once a day", "3 times a week", "2x per day", "twice each night"
    re.compile(rf"^{_COUNT}{_TIMES_WORD}\s+{_PER}\s+(?P<unit>day|night|evening|morning|week)$"),
)
_EVERY_PHRASE = re.compile(
    r"^every\s+(?P<n>[1-9][0-9]{0,2}|other|second|two|three|four|five|six|seven)\s+"
    r"(?P<unit>days?|weeks?)$"
)
_DAILY_PHRASES: Final = frozenset(
    {
        "nightly", "every day", "everyday", "each day", "every night", "each night",
        "at night", "at bedtime", "bedtime", "every evening", "each evening",
        "every morning", "each morning", "in the morning", "in the evening",
        "once daily", "once nightly",
    }
)  # fmt: skip
_TWICE_DAILY_PHRASES: Final = frozenset(
    {"morning and night", "morning and evening", "mornings and evenings", "am and pm"}
)
_WEEKLY_PHRASES: Final = frozenset({"every week", "each week"})
_EVERY_WORDS: Final = {"other": 2, "second": 2, "two": 2, "three": 3, "four": 4, "five": 5,
                       "six": 6, "seven": 7}  # fmt: skip


def _normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces, one space between words, no end dot."""
    return re.sub(r"[-_\s]+", " ", text.strip().lower().rstrip(".")).strip()


def _phrase(words: str) -> Frequency | None:
    """The frequency a natural phrase names (see the module docstring), or None."""
    if words in _DAILY_PHRASES:
        return Frequency(1, 1)
    if words in _TWICE_DAILY_PHRASES:
        return Frequency(2, 1)
    if words in _WEEKLY_PHRASES:
        return Frequency(1, 7)
    for pattern in _PHRASES:
        if m := pattern.match(words):
            count = m["n"]
            n = int(count) if count.isdigit() else _NUMBERS[count]
            unit = m["unit"]
            period = 7 if unit.startswith("week") else 1
            return Frequency(n, period)
    if m := _EVERY_PHRASE.match(words):
        count = m["n"]
        n = int(count) if count.isdigit() else _EVERY_WORDS[count]
        days = n * (7 if m["unit"].startswith("week") else 1)
        return Frequency(1, days) if days <= _MAX_PERIOD_DAYS else None
    return None


def parse_frequency(text: str, *, field: str = "frequency") -> Frequency:
    """The :class:`Frequency` named by ``text``; :class:`InvalidInput` if it names none."""
    word = text.strip().lower()
    if word in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[word]
    if m := _TIMES.match(word):
        return Frequency(int(m["n"]), 1 if m["unit"] == "daily" else 7)
    if m := _EVERY.match(word):
        return Frequency(1, int(m["d"]))
    found = _phrase(_normalise(text))
    if found is not None and 1 <= found.doses <= _MAX_DOSES:
        return found
    raise InvalidInput(problems=[Problem(field, _EXPECTED, text)])


def frequency_name(frequency: Frequency) -> str:
    """The short form of a frequency (``daily``, ``twice-daily``, ``3x-weekly``,
    ``every-3-days``), which every version of scarwise reads."""
    for name, known in FREQUENCY_WORDS.items():
        if known == frequency and name != "once-daily":
            return name
    if frequency.period_days == 1:
        return f"{frequency.doses}x-daily"
    if frequency.period_days == 7:
        return f"{frequency.doses}x-weekly"
    if frequency.doses == 1:
        return f"every-{frequency.period_days}-days"
    raise InvalidInput(problems=[Problem("frequency", _EXPECTED, repr(frequency))])


def canonical_frequency(text: str, *, field: str = "frequency") -> str:
    """The short form of the frequency ``text`` names (``twice a day`` -> ``twice-daily``)."""
    return frequency_name(parse_frequency(text, field=field))


def active_days(item: RegimenItemRecord, start: date, end: date) -> list[date]:
    """The UTC days from ``start`` to ``end`` (inclusive) on which ``item`` was running.

    An item runs from its start day up to, but not including, its stop day.
    """
    first = max(start, item.start.date())
    last = end if item.stop is None else min(end, item.stop.date() - timedelta(days=1))
    if last < first:
        return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
