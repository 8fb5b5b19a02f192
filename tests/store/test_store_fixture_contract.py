"""The store fixtures themselves: PostgreSQL missing is a failure with a clear message, never a skip."""

from __future__ import annotations

import pytest

from scarwise.testing.store_fixtures import make_store_url


def test_unreachable_postgresql_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("SCARWISE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:1/test")
    with pytest.raises(
        pytest.fail.Exception, match=r"PostgreSQL is not reachable .* never skipped"
    ):
        make_store_url("postgresql", tmp_path)


def test_sqlite_store_has_wal_and_foreign_keys(store, store_backend):
    from sqlalchemy import text

    with store.engine.connect() as con:
        if store_backend == "sqlite":
            assert con.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert con.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            assert (
                con.execute(text("SELECT current_schema()")).scalar().startswith("scarwise_test_")
            )
    assert store.backend == store_backend


def test_interactive_assessment_asks_item_by_item(monkeypatch):
    import typer

    from scarwise.cli.track.records import ask_scale_input

    answers = iter([0, 25, 3, 0, 0, 0])
    monkeypatch.setattr(typer, "prompt", lambda label, default=None, type=None: next(answers))
    data = ask_scale_input("ecca")
    assert data == {
        "counts": {
            "icepick_v": 0,
            "boxcar_u": 25,
            "rolling_m": 3,
            "elastolysis": 0,
            "hypertrophic_recent": 0,
            "keloid_or_old_hypertrophic": 0,
        }
    }
    import scarwise

    # boxcar > 20 -> 20 x 3 = 60; rolling 1-4 -> 25 x 1 = 25 (contracts/scales.md)
    assert scarwise.score("ecca", data).score == 85


def test_demo_history_is_deterministic_and_complete(tmp_path):
    from scarwise.store import open_store
    from scarwise.testing.store_fixtures import TickingClock, fill_demo_history
    from scarwise.workflows import write_progress_report

    histories = []
    for run in ("a", "b"):
        with open_store(
            f"sqlite:///{tmp_path / run / 's.db'}",
            clock=TickingClock(),
            new_id=iter(f"{run}{i:031d}"[-32:] for i in range(10_000)).__next__,
        ) as store:
            person = fill_demo_history(store)
            history = store.history(person).to_json_dict()
            histories.append(
                [
                    {k: v for k, v in e.items() if k not in {"id", "regimen_id", "photo_ids"}}
                    for e in history["events"]
                ]
            )
            kinds = {e["kind"] for e in history["events"]}
            assert kinds == {"assessment", "session", "regimen", "dose", "analysis", "photo"}
            report = write_progress_report(store, person, tmp_path / run / "r.html").report
            assert report.photo_pairs == 1
    assert histories[0] == histories[1]
