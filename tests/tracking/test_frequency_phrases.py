"""Frequencies in the words people type: natural phrases, their short forms and plain words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scarwise.errors import InvalidInput
from scarwise.tracking.regimen import (
    FREQUENCY_EXAMPLES,
    FREQUENCY_WORDS,
    Frequency,
    canonical_frequency,
    frequency_name,
    parse_frequency,
)


@pytest.mark.parametrize(
    ("text", "doses", "period_days"),
    [
        ("twice daily", 2, 1),
        ("Twice Daily", 2, 1),
        ("every other day", 1, 2),
        ("3 times a week", 3, 7),
        ("3 times per week", 3, 7),
        ("three times a week", 3, 7),
        ("3x weekly", 3, 7),
        ("3x a week", 3, 7),
        ("3 x a week", 3, 7),
        ("once a day", 1, 1),
        ("once daily", 1, 1),
        ("1 time a day", 1, 1),
        ("2 times per day", 2, 1),
        ("twice a day", 2, 1),
        ("nightly", 1, 1),
        ("every night", 1, 1),
        ("at bedtime", 1, 1),
        ("every morning", 1, 1),
        ("every day", 1, 1),
        ("morning and night", 2, 1),
        ("weekly", 1, 7),
        ("once a week", 1, 7),
        ("every week", 1, 7),
        ("twice a week", 2, 7),
        ("every 3 days", 1, 3),
        ("every three days", 1, 3),
        ("every 2 weeks", 1, 14),
        ("every other week", 1, 14),
        ("every 1 day", 1, 1),
        ("every  other   day.", 1, 2),
        ("every_other_day", 1, 2),
    ],
)
def test_natural_phrases(text: str, doses: int, period_days: int) -> None:
    assert parse_frequency(text) == Frequency(doses, period_days)


@pytest.mark.parametrize(
    "text",
    [
        "biweekly",  # twice a week or every two weeks: refused, never guessed
        "sometimes",
        "0 times a day",
        "every 0 days",
        "every 200 weeks",
        "100 times a day",
        "twice",
        "a day",
        "times a week",
        "3 times a month",
        "daily daily",
    ],
)
def test_phrases_that_name_no_frequency_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_frequency(text, field="how_often")
    problem = err.value.problems[0]
    assert problem.field == "how_often" and problem.got == text
    assert "twice daily" in problem.expected and "3 times a week" in problem.expected


@pytest.mark.parametrize("text", FREQUENCY_EXAMPLES)
def test_every_suggested_phrase_is_accepted(text: str) -> None:
    frequency = parse_frequency(text)
    assert parse_frequency(frequency_name(frequency)) == frequency


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("twice a day", "twice-daily", "twice a day"),
        ("once a day", "daily", "once a day"),
        ("nightly", "daily", "once a day"),
        ("3 times a week", "three-times-weekly", "3 times a week"),
        ("5 times a week", "5x-weekly", "5 times a week"),
        ("4 times daily", "4x-daily", "4 times a day"),
        ("every other day", "every-other-day", "every other day"),
        ("every 3 days", "every-3-days", "every 3 days"),
        ("every 2 weeks", "every-14-days", "every 2 weeks"),
        ("weekly", "weekly", "once a week"),
    ],
)
def test_short_forms_and_plain_words(text: str, name: str, words: str) -> None:
    assert canonical_frequency(text) == name
    assert parse_frequency(text).words == words


@given(
    doses=st.integers(min_value=1, max_value=99),
    period_days=st.sampled_from([1, 7]),
)
def test_every_count_per_day_or_week_round_trips(doses: int, period_days: int) -> None:
    frequency = Frequency(doses, period_days)
    assert parse_frequency(frequency_name(frequency)) == frequency
    assert parse_frequency(frequency.words) == frequency


@given(days=st.integers(min_value=1, max_value=999))
def test_every_n_days_round_trips(days: int) -> None:
    frequency = Frequency(1, days)
    assert parse_frequency(frequency_name(frequency)) == frequency
    assert parse_frequency(frequency.words) == frequency


def test_the_known_words_keep_their_meaning() -> None:
    for word, frequency in FREQUENCY_WORDS.items():
        assert parse_frequency(word) == frequency
        assert parse_frequency(frequency_name(frequency)) == frequency
