"""Property: any history survives export -> import into an empty store unchanged (SQLite)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarwise.store import export_zip, import_zip, known_treatments, open_store
from scarwise.testing.store_fixtures import TickingClock
from scarwise.workflows import record_assessment

TREATMENTS = sorted(known_treatments())
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.builds(
    lambda base, tz: base.replace(tzinfo=UTC).astimezone(tz),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    offsets,
)
texts = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40).filter(
    lambda t: t.strip()
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=texts,
    scores=st.lists(st.tuples(instants, st.integers(0, 5)), max_size=4),
    sessions=st.lists(
        st.tuples(instants, st.sampled_from(TREATMENTS), st.none() | texts), max_size=3
    ),
    notes=st.lists(st.tuples(instants, texts), max_size=3),
    doses=st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from(["taken", "skipped"])), max_size=10
    ),
)
def test_any_history_round_trips(name, scores, sessions, notes, doses):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with open_store(f"sqlite:///{root / 'a.db'}", clock=TickingClock()) as source:
            person = source.add_person(name).person
            for when, face in scores:
                record_assessment(source, person.id, "scar-s", {"face": face}, date=when)
            for when, treatment, provider in sessions:
                source.add_session(person.id, treatment, date=when, provider=provider)
            for when, text in notes:
                source.add_note(person.id, text, date=when)
            item = source.add_regimen_item(
                person.id, "sunscreen", "daily", start="2026-01-01"
            ).regimen
            for day, status in doses:
                source.log_dose(
                    item.id,
                    date=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day),
                    status=status,
                )
            export_zip(source, root / "x.zip")
            expected = source.history(person.id).to_json_dict()
        with open_store(f"sqlite:///{root / 'b.db'}", clock=TickingClock()) as target:
            import_zip(target, root / "x.zip")
            assert target.history(person.id).to_json_dict() == expected
