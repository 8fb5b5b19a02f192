"""Pure tracking logic: dates, frequencies, adherence, timelines, progress, history order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scarwise.errors import InvalidInput
from scarwise.tracking import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    PersonRecord,
    RegimenItemRecord,
    adherence,
    build_history,
    compare_progress,
    parse_frequency,
    parse_when,
    score_series,
)

T = datetime(2026, 1, 1, tzinfo=UTC)
PERSON = PersonRecord(id="p", name="Ann", created_at=T)


def _item(id_="r1", frequency="daily", start=T, stop=None):
    return RegimenItemRecord(
        id=id_, person_id="p", treatment="sunscreen", frequency=frequency, start=start, stop=stop
    )


def _dose(day: int, regimen="r1", status="taken", hour=20):
    return DoseRecord(
        id=f"d{day}-{hour}-{regimen}",
        person_id="p",
        regimen_id=regimen,
        date=T + timedelta(days=day, hours=hour),
        status=status,
    )


def _assessment(id_, when, score, scale="ecca", region=None, max_=540):
    return AssessmentRecord(
        id=id_,
        person_id="p",
        scale=scale,
        score=score,
        max=max_,
        date=when,
        region=region,
        result={"score": score},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T08:30+02:00", datetime(2026, 3, 1, 6, 30, tzinfo=UTC)),
        ("2026-03-01T08:30:00Z", datetime(2026, 3, 1, 8, 30, tzinfo=UTC)),
        (date(2026, 3, 1), datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_parse_when(text, expected):
    assert parse_when(text) == expected
    assert parse_when(text).tzinfo == UTC


@pytest.mark.parametrize(
    "text",
    ["2026-02-30", "03/01/2026", "2026-03-01T08:30", "", "soon", datetime(2026, 3, 1, 8, 30)],
)
def test_parse_when_refuses(text):
    with pytest.raises(InvalidInput) as err:
        parse_when(text, field="start")
    assert err.value.problems[0].field == "start"


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("daily", 1.0),
        ("twice-daily", 2.0),
        ("every-other-day", 0.5),
        ("weekly", 1 / 7),
        ("twice-weekly", 2 / 7),
        ("3x-weekly", 3 / 7),
        ("3x-daily", 3.0),
        ("every-3-days", 1 / 3),
        (" Daily ", 1.0),
    ],
)
def test_frequencies(text, per_day):
    assert parse_frequency(text).per_day == pytest.approx(per_day)


@pytest.mark.parametrize("text", ["hourly", "0x-daily", "every-0-days", "sometimes", ""])
def test_unknown_frequencies(text):
    with pytest.raises(InvalidInput):
        parse_frequency(text)


def test_adherence_caps_each_item_and_ignores_skipped():
    items = [_item("r1"), _item("r2", "weekly")]
    doses = [_dose(d) for d in range(0, 10)]  # r1: 10 of 14 days
    doses += [_dose(0, hour=9), _dose(0, hour=10)]  # extra doses on day 0 never make up
    doses += [_dose(11, status="skipped")]  # skipped is not taken
    doses += [_dose(3, "r2"), _dose(4, "r2"), _dose(5, "r2")]  # r2: 3 taken, 2 due in 14 days
    result = adherence(items, doses, date(2026, 1, 1), date(2026, 1, 14))
    # r1 expected 14, taken min(12, 14) = 12; r2 expected 2, taken min(3, 2) = 2
    assert result.expected == pytest.approx(16.0)
    assert result.taken == pytest.approx(14.0)
    assert result.rate == pytest.approx(14 / 16, abs=1e-4)
    assert len(result.days) == 14
    assert result.days[0].taken == 3 and result.days[0].rate == 1.0
    assert result.days[12].taken == 0 and result.days[12].rate == 0.0


def test_adherence_respects_start_and_exclusive_stop():
    item = _item(start=T + timedelta(days=2), stop=T + timedelta(days=5))  # runs 3rd, 4th, 5th
    result = adherence(
        [item], [_dose(2), _dose(3), _dose(4), _dose(5)], date(2026, 1, 1), date(2026, 1, 10)
    )
    assert (result.expected, result.taken) == (3.0, 3.0)
    assert [d.expected for d in result.days] == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0]
    nothing = adherence([], [], date(2026, 1, 1), date(2026, 1, 2))
    assert nothing.rate is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["taken", "skipped"])), max_size=80),
    st.sampled_from(["daily", "twice-daily", "weekly", "every-3-days"]),
)
def test_adherence_rate_is_a_share_and_grows_with_doses(logged, frequency):
    item = _item(frequency=frequency)
    doses = [_dose(d, status=s, hour=i % 24) for i, (d, s) in enumerate(logged)]
    window = (date(2026, 1, 1), date(2026, 1, 30))
    base = adherence([item], doses, *window)
    assert base.rate is not None and 0.0 <= base.rate <= 1.0
    assert base.taken <= base.expected
    more = adherence([item], [*doses, _dose(7, hour=23)], *window)
    assert more.rate >= base.rate


def test_score_series_keeps_regions_apart_and_sorts():
    series = score_series(
        [
            _assessment("b", T + timedelta(days=30), 40),
            _assessment("a", T, 60),
            _assessment("c", T, 3, scale="scar-s", region="back", max_=5),
            _assessment("d", T, 4, scale="scar-s", region="face", max_=5),
        ]
    )
    assert [(s.scale, s.region, [p.score for p in s.points]) for s in series] == [
        ("ecca", None, [60, 40]),
        ("scar-s", "back", [3]),
        ("scar-s", "face", [4]),
    ]


def test_progress_uses_last_record_at_or_before_each_date():
    assessments = [
        _assessment("a", T, 60),
        _assessment("b", T + timedelta(days=60), 45),
        _assessment("c", T + timedelta(days=120), 30),
    ]
    analyses = [
        AnalysisRecord(
            id="x",
            person_id="p",
            kind="analyze3d",
            date=T + timedelta(days=10),
            software_version="0.1.0",
            result={"summary": {"count": 9, "total_volume_mm3": 3.0}},
        )
    ]
    p = compare_progress(
        PERSON,
        T + timedelta(days=90),
        T + timedelta(days=130),
        assessments=assessments,
        analyses=analyses,
        regimen=[],
        doses=[],
        sessions=[],
    )
    assert (p.scores[0].score_from, p.scores[0].score_to, p.scores[0].change) == (45, 30, -15)
    assert (p.scars.count_from, p.scars.count_to, p.scars.count_change) == (9, 9, 0)
    # before any record: no baseline unless from_first
    early = compare_progress(
        PERSON,
        T - timedelta(days=5),
        T + timedelta(days=130),
        assessments=assessments,
        analyses=analyses,
        regimen=[],
        doses=[],
        sessions=[],
    )
    assert (early.scores[0].score_from, early.scars.count_from) == (None, None)
    first = compare_progress(
        PERSON,
        T - timedelta(days=5),
        T + timedelta(days=130),
        assessments=assessments,
        analyses=analyses,
        regimen=[],
        doses=[],
        sessions=[],
        from_first=True,
    )
    assert (first.scores[0].score_from, first.scores[0].change, first.scars.count_from) == (
        60,
        -30,
        9,
    )
    # dates given the wrong way round are swapped
    swapped = compare_progress(
        PERSON,
        T + timedelta(days=130),
        T + timedelta(days=90),
        assessments=assessments,
        analyses=[],
        regimen=[],
        doses=[],
        sessions=[],
    )
    assert swapped.scores[0].change == -15


def test_history_order_is_stable_for_ties():
    same = T + timedelta(days=1)
    events = build_history(
        [
            _assessment("z", same, 1),
            _item("r", start=same, stop=same + timedelta(days=3)),
            _dose(1, "r", hour=0),
            _assessment("a", same, 2),
        ]
    )
    assert [(e.kind, e.id) for e in events] == [
        ("regimen", "r"),
        ("assessment", "a"),
        ("assessment", "z"),
        ("dose", "d1-0-r"),
        ("regimen-stop", "r"),
    ]
