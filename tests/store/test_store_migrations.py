"""Alembic migrations: a database made with the first schema upgrades without loss, both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from scarwise.store import open_store
from scarwise.store.engine import make_engine, normalise_url
from scarwise.store.migrate import HEAD, current_revision, downgrade, upgrade
from scarwise.store.models import Base

T0 = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)


def _at(engine, when):
    # what the 0001 code wrote: naive UTC on SQLite, timestamptz on PostgreSQL
    return when.replace(tzinfo=None) if engine.dialect.name == "sqlite" else when


def _first_schema_data(engine):
    with engine.begin() as con:
        con.execute(
            text("INSERT INTO people (id, name, created_at) VALUES ('p1', 'Ann', :t)"),
            {"t": _at(engine, T0)},
        )
        con.execute(
            text(
                "INSERT INTO assessments (id, person_id, occurred_at, scale, score, max, rater, region, inputs, result) "
                "VALUES ('a1', 'p1', :t, 'scar-s', 3, 5, 'Dr A', NULL, :i, :r)"
            ),
            {
                "t": _at(engine, T0),
                "i": json.dumps({"face": 3}),
                "r": json.dumps({"schema": "score/1", "scale": "scar-s", "score": 3, "max": 5}),
            },
        )
        con.execute(
            text(
                "INSERT INTO sessions (id, person_id, occurred_at, treatment, provider, settings, downtime_days, "
                "side_effects, outcome_rating, notes) VALUES ('s1', 'p1', :t, 'subcision', 'Dr B', '{}', 2.0, "
                "'[\"bruising\"]', 4, NULL)"
            ),
            {"t": _at(engine, datetime(2025, 7, 1, tzinfo=UTC))},
        )
        con.execute(
            text(
                "INSERT INTO plans (id, person_id, occurred_at, knowledge_base_version, status, profile, plan) "
                "VALUES ('pl1', 'p1', :t, 'kb-0', 'active', '{}', '{\"schema\": \"plan/1\"}')"
            ),
            {"t": _at(engine, datetime(2025, 6, 2, tzinfo=UTC))},
        )
        con.execute(
            text(
                "INSERT INTO notes (id, person_id, occurred_at, text) VALUES ('n1', 'p1', :t, 'hello')"
            ),
            {"t": _at(engine, datetime(2025, 8, 1, tzinfo=UTC))},
        )


def test_first_schema_upgrades_without_loss(store_url, tmp_path):
    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine, "0001")
        with engine.connect() as con:
            assert current_revision(con) == "0001"
        _first_schema_data(engine)
        upgrade(engine)
        with engine.connect() as con:
            assert current_revision(con) == HEAD
    finally:
        engine.dispose()
    with open_store(store_url, photo_dir=tmp_path / "photos") as store:
        history = store.history("p1").to_json_dict()
        assert history["person"] == {
            "id": "p1",
            "name": "Ann",
            "created_at": "2025-06-01T08:30:00Z",
        }
        assert [(e["kind"], e["id"], e["date"]) for e in history["events"]] == [
            ("assessment", "a1", "2025-06-01T08:30:00Z"),
            ("plan", "pl1", "2025-06-02T00:00:00Z"),
            ("session", "s1", "2025-07-01T00:00:00Z"),
            ("note", "n1", "2025-08-01T00:00:00Z"),
        ]
        assert history["events"][2]["side_effects"] == ["bruising"]
        assert store.records("p1").assessments[0].inputs == {"face": 3}
        # the tables of revision 0002 work on the upgraded database
        item = store.add_regimen_item("p1", "sunscreen", "daily", start="2025-09-01").regimen
        store.log_dose(item.id, date="2025-09-01")
        assert [e["kind"] for e in store.history("p1").to_json_dict()["events"]][-2:] == [
            "regimen",
            "dose",
        ]


def test_migrations_match_the_models_and_go_down_and_up(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine)
        with engine.connect() as con:
            diff = compare_metadata(
                MigrationContext.configure(con, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
        _first_schema_data(engine)
        downgrade(engine, "0001")
        with engine.connect() as con:
            assert current_revision(con) == "0001"
            assert con.execute(text("SELECT count(*) FROM assessments")).scalar() == 1
        upgrade(engine)
        with engine.connect() as con:
            assert current_revision(con) == HEAD
            assert con.execute(text("SELECT count(*) FROM dose_logs")).scalar() == 0
    finally:
        engine.dispose()


def test_opening_a_current_store_does_not_run_alembic(store_url, tmp_path, monkeypatch):
    open_store(store_url, photo_dir=tmp_path / "p").close()
    import scarwise.store.migrate as migrate

    def boom(*args, **kwargs):
        raise AssertionError("alembic ran on a database already at head")

    monkeypatch.setattr(migrate, "_run", boom)
    open_store(store_url, photo_dir=tmp_path / "p").close()
