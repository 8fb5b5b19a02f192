"""The store's records, on SQLite and PostgreSQL: what is written, what is refused, nothing half-written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from scarwise.errors import InvalidInput, NotFound
from scarwise.store import models as m
from scarwise.workflows import record_assessment


def _count(store, model) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_people_add_list_get(store):
    bea = store.add_person("  Bea  ").person
    ann = store.add_person("Ann").person
    assert bea.name == "Bea"
    assert [p.name for p in store.list_people().people] == ["Ann", "Bea"]
    assert store.get_person(ann.id) == ann
    assert ann.created_at.tzinfo is not None
    out = store.list_people().to_json_dict()
    assert out["schema"] == "track-people/1" and out["ok"] is True
    assert set(out["people"][0]) >= {"id", "name"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_invalid(store, name):
    with pytest.raises(InvalidInput):
        store.add_person(name)
    assert _count(store, m.Person) == 0


def test_assessment_from_scale_input_and_from_score_json(store):
    import scarwise

    ann = store.add_person("Ann").person
    a = record_assessment(
        store,
        ann.id,
        "ecca",
        {"counts": {"boxcar_u": 6, "icepick_v": 25}},
        date="2026-03-01",
        rater="Dr A",
    ).assessment
    # ECCA: boxcar 5-20 lesions -> 20 x 2 = 40; icepick > 20 -> 15 x 3 = 45 (contracts/scales.md)
    assert (a.scale, a.score, a.max, a.rater) == ("ecca", 85, 540, "Dr A")
    assert a.date == datetime(2026, 3, 1, tzinfo=UTC)
    assert a.inputs == {"counts": {"boxcar_u": 6, "icepick_v": 25}}

    scored = scarwise.score(
        "gb-quantitative", {"region": "back", "counts": {"macular": 3}}
    ).to_json_dict()
    b = record_assessment(
        store, ann.id, "gb-quantitative", scored, date="2026-04-01T10:00+02:00"
    ).assessment
    assert (b.score, b.region, b.inputs) == (1, "back", None)
    assert b.date == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def test_assessment_errors_write_nothing(store):
    ann = store.add_person("Ann").person
    with pytest.raises(NotFound):
        record_assessment(store, "nobody", "ecca", {"counts": {}})
    with pytest.raises(NotFound):
        record_assessment(store, ann.id, "no-such-scale", {})
    with pytest.raises(InvalidInput):
        record_assessment(store, ann.id, "ecca", {"counts": {"boxcar_u": -1}})
    with pytest.raises(InvalidInput):
        record_assessment(store, ann.id, "ecca", {"counts": {}}, date="2026-13-01")
    with pytest.raises(InvalidInput):  # a time without an offset is ambiguous
        record_assessment(store, ann.id, "ecca", {"counts": {}}, date="2026-03-01T10:00")
    with pytest.raises(InvalidInput):  # a score/1 object for another scale
        import scarwise

        record_assessment(
            store, ann.id, "ecca", scarwise.score("scar-s", {"face": 2}).to_json_dict()
        )
    assert _count(store, m.Assessment) == 0


def test_the_store_keeps_scores_it_is_given_and_computes_none(store):
    import scarwise

    ann = store.add_person("Ann").person
    scored = scarwise.score("scar-s", {"face": 2}).to_json_dict()
    kept = store.add_assessment(
        ann.id, scored, inputs={"face": 2}, date="2026-03-01", rater="Dr A"
    ).assessment
    assert (kept.scale, kept.score, kept.max, kept.rater) == ("scar-s", 2, 5, "Dr A")
    assert kept.inputs == {"face": 2} and kept.result == scored
    bad = [
        {"counts": {"boxcar_u": 6}},  # a scale input is not a score
        {**scored, "score": 9},  # above the scale's maximum
        {**scored, "score": -1},
        {**scored, "max": "lots"},
    ]
    for result in bad:
        with pytest.raises(InvalidInput):
            store.add_assessment(ann.id, result)
    with pytest.raises(NotFound):
        store.add_assessment(ann.id, {**scored, "scale": "no-such-scale"})
    with pytest.raises(NotFound):
        store.add_assessment("nobody", scored)
    assert _count(store, m.Assessment) == 1


def test_sessions_validate_treatment_ids_and_ranges(store):
    ann = store.add_person("Ann").person
    s = store.add_session(
        ann.id,
        "subcision",
        date="2026-03-10",
        provider="Dr B",
        settings={"needle": "18G"},
        downtime_days=3,
        side_effects=["bruising"],
        outcome_rating=4,
        notes="cheeks",
    ).session
    assert (s.treatment, s.provider, s.downtime_days, s.side_effects, s.outcome_rating) == (
        "subcision",
        "Dr B",
        3.0,
        ["bruising"],
        4,
    )
    with pytest.raises(InvalidInput) as err:
        store.add_session(ann.id, "laser-magic", date="2026-03-10", outcome_rating=9)
    assert {p.field for p in err.value.problems} == {"treatment", "outcome_rating"}
    with pytest.raises(NotFound):
        store.add_session("nobody", "subcision", date="2026-03-10")
    assert _count(store, m.ProcedureSession) == 1


def test_regimen_doses_and_stop(store):
    ann = store.add_person("Ann").person
    item = store.add_regimen_item(ann.id, "topical-retinoid", "Daily", start="2026-03-01").regimen
    assert item.frequency == "daily" and item.stop is None
    dose = store.log_dose(item.id, date="2026-03-02T21:00+01:00").dose
    assert dose.person_id == ann.id and dose.status == "taken"
    store.log_dose(item.id, date="2026-03-03", status="skipped")
    stopped = store.stop_regimen_item(item.id, date="2026-04-01").regimen
    assert stopped.stop == datetime(2026, 4, 1, tzinfo=UTC)
    assert [r.id for r in store.list_regimen(ann.id).regimen] == [item.id]
    with pytest.raises(InvalidInput) as err:
        store.add_regimen_item(ann.id, "unicorn-cream", "hourly", start="2026-03-01")
    assert {p.field for p in err.value.problems} == {"treatment", "frequency"}
    with pytest.raises(InvalidInput):
        store.add_regimen_item(ann.id, "sunscreen", "daily", start="2026-03-02", stop="2026-03-01")
    with pytest.raises(InvalidInput):
        store.stop_regimen_item(item.id, date="2026-02-01")
    with pytest.raises(NotFound):
        store.log_dose("no-such-item")
    with pytest.raises(InvalidInput):
        store.log_dose(item.id, status="maybe")
    assert _count(store, m.DoseLog) == 2


def test_plans_supersede_and_keep_kb_version(store):
    ann = store.add_person("Ann").person
    first = store.record_plan(
        ann.id,
        {"age": 30},
        {"schema": "plan/1", "phases": []},
        knowledge_base_version="2026.1",
        date="2026-03-01",
    ).plan
    second = store.record_plan(
        ann.id,
        {"age": 30},
        {"schema": "plan/1", "phases": [1]},
        knowledge_base_version="2026.2",
        date="2026-05-01",
    ).plan
    assert first.status == "active" and second.knowledge_base_version == "2026.2"
    plans = store.records(ann.id).plans
    assert [(p.id, p.status) for p in plans] == [(first.id, "superseded"), (second.id, "active")]


def test_history_is_oldest_first_with_every_kind(store):
    ann = store.add_person("Ann").person
    store.add_session(ann.id, "subcision", date="2026-03-10")
    record_assessment(store, ann.id, "scar-s", {"face": 3}, date="2026-03-01")
    item = store.add_regimen_item(
        ann.id, "sunscreen", "daily", start="2026-02-01", stop="2026-06-01"
    ).regimen
    store.log_dose(item.id, date="2026-02-02")
    store.add_note(ann.id, "started a new job", date="2026-03-05")
    store.record_analysis(
        ann.id,
        {
            "schema": "analyze3d/1",
            "scarwise_version": "0.1.0",
            "summary": {"count": 4, "total_volume_mm3": 1.5, "mean_depth_mm": 0.2},
        },
        date="2026-03-02",
    )
    history = store.history(ann.id)
    kinds = [e.kind for e in history.events]
    assert kinds == ["regimen", "dose", "assessment", "analysis", "note", "session", "regimen-stop"]
    dates = [e.date for e in history.events]
    assert dates == sorted(dates)
    data = history.to_json_dict()
    assert data["schema"] == "track-history/1" and data["person"]["id"] == ann.id
    assert data["events"][2] == {
        "kind": "assessment",
        "id": data["events"][2]["id"],
        "date": "2026-03-01T00:00:00Z",
        "scale": "scar-s",
        "score": 3,
        "max": 5,
        "region": None,
        "rater": None,
    }
    assert data["events"][3]["summary"]["count"] == 4
    assert [e.kind for e in store.history(ann.id, kinds=["session", "note"]).events] == [
        "note",
        "session",
    ]
    with pytest.raises(InvalidInput):
        store.history(ann.id, kinds=["holiday"])
    with pytest.raises(NotFound):
        store.history("nobody")


def test_analysis_must_be_a_known_result_of_own_photos(store):
    ann = store.add_person("Ann").person
    with pytest.raises(InvalidInput):
        store.record_analysis(ann.id, {"schema": "plan/1", "scarwise_version": "0.1.0"})
    with pytest.raises(NotFound):
        store.record_analysis(
            ann.id, {"schema": "analyze/1", "scarwise_version": "0.1.0"}, photo_ids=["nope"]
        )
    assert _count(store, m.Analysis) == 0


def test_progress_between_two_dates(store):
    ann = store.add_person("Ann").person
    record_assessment(store, ann.id, "ecca", {"counts": {"boxcar_u": 25}}, date="2026-01-01")  # 60
    record_assessment(store, ann.id, "ecca", {"counts": {"boxcar_u": 8}}, date="2026-04-01")  # 40
    for when, count, volume in (("2026-01-02", 12, 6.0), ("2026-04-02", 9, 4.5)):
        store.record_analysis(
            ann.id,
            {
                "schema": "analyze3d/1",
                "scarwise_version": "0.1.0",
                "summary": {"count": count, "total_volume_mm3": volume},
            },
            date=when,
        )
    store.record_analysis(
        ann.id,
        {
            "schema": "analyze/1",
            "scarwise_version": "0.1.0",
            "indices": {"mean_a_star": 14.0, "erythema_index": 0.5},
        },
        date="2026-01-02",
    )
    item = store.add_regimen_item(ann.id, "topical-retinoid", "daily", start="2026-01-01").regimen
    for day in range(1, 11):  # 10 of the 31 days of January
        store.log_dose(item.id, date=f"2026-01-{day:02d}T20:00+00:00")
    store.add_session(ann.id, "subcision", date="2026-02-15")
    p = store.progress(ann.id, "2026-01-31", "2026-04-30")
    assert [(c.scale, c.score_from, c.score_to, c.change) for c in p.scores] == [
        ("ecca", 60, 40, -20)
    ]
    assert (p.scars.count_from, p.scars.count_to, p.scars.count_change) == (12, 9, -3)
    assert p.scars.volume_change_mm3 == pytest.approx(-1.5)
    assert p.redness.mean_a_star_from == 14.0 and p.redness.mean_a_star_to == 14.0
    assert [s.treatment for s in p.sessions] == ["subcision"]
    # 2026-01-31 .. 2026-04-30 is 90 days, one dose due per day, none logged in that window
    assert (p.adherence.expected, p.adherence.taken, p.adherence.rate) == (90.0, 0.0, 0.0)
    january = store.progress(ann.id, "2026-01-01", "2026-01-31T23:59+00:00")
    assert january.adherence.rate == pytest.approx(10 / 31, abs=1e-4)
    assert january.to_json_dict()["from"] == "2026-01-01T00:00:00Z"
