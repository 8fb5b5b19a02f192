"""Adherence: how many of the doses that were due were taken.

Written by hand (no library computes regimen adherence from free-form frequencies). The rate
is the proportion of days covered idea (PDC) applied per regimen item: for each item, taken
doses are capped at the doses due, so extra doses on one day never make up for missed days;
skipped doses count as not taken.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from scarwise.tracking.models import AdherenceDay, AdherenceSummary, DoseRecord, RegimenItemRecord
from scarwise.tracking.regimen import active_days, parse_frequency

__all__ = ["adherence"]


def adherence(
    items: Sequence[RegimenItemRecord],
    doses: Iterable[DoseRecord],
    start: date,
    end: date,
    *,
    with_days: bool = True,
) -> AdherenceSummary:
    """Adherence between ``start`` and ``end`` (UTC days, inclusive).

    Parameters
    ----------
    items
        The person's regimen items.
    doses
        Their logged doses (any dates; those outside the window are ignored).
    start, end
        The window.
    with_days
        Also return one :class:`AdherenceDay` per day of the window (for the calendar plot).

    Returns
    -------
    AdherenceSummary
        ``rate`` is ``taken / expected`` with taken capped per item, or ``None`` if nothing was due.
    """
    per_item_day: Counter[tuple[str, date]] = Counter()
    for dose in doses:
        day = dose.date.date()
        if dose.status == "taken" and start <= day <= end:
            per_item_day[(dose.regimen_id, day)] += 1

    expected_total = 0.0
    taken_total = 0.0
    day_expected: defaultdict[date, float] = defaultdict(float)
    day_taken: Counter[date] = Counter()
    for item in items:
        per_day = parse_frequency(item.frequency).per_day
        days = active_days(item, start, end)
        expected = per_day * len(days)
        taken = sum(per_item_day[(item.id, d)] for d in days)
        expected_total += expected
        taken_total += min(float(taken), expected)
        for d in days:
            day_expected[d] += per_day
            day_taken[d] += per_item_day[(item.id, d)]

    rows: list[AdherenceDay] = []
    if with_days and end >= start:
        for i in range((end - start).days + 1):
            d = start + timedelta(days=i)
            exp = day_expected[d]
            got = day_taken[d]
            rate = min(1.0, got / exp) if exp > 0 else 0.0
            rows.append(
                AdherenceDay(
                    day=d.isoformat(), expected=round(exp, 4), taken=got, rate=round(rate, 4)
                )
            )
    rate_total = None if expected_total == 0 else round(min(1.0, taken_total / expected_total), 4)
    return AdherenceSummary(
        expected=round(expected_total, 4), taken=round(taken_total, 4), rate=rate_total, days=rows
    )
