"""Concurrent processes on SQLite and PostgreSQL: migrations run once, one plan stays active."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from scarwise.errors import UsageError
from scarwise.store import open_store
from scarwise.store.engine import make_engine, normalise_url
from scarwise.store.migrate import HEAD, current_revision, upgrade

OPENERS = 4
SAVERS = 4
SAVES = 30


@pytest.fixture(autouse=True)
def _children_can_import_this_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def _open_and_add(url: str, photo_dir: str, name: str, start) -> None:
    start.wait(60)
    with open_store(url, photo_dir=photo_dir) as store:
        store.add_person(name)


def _save_plans(url: str, photo_dir: str, person: str, tag: str, start) -> None:
    with open_store(url, photo_dir=photo_dir) as store:
        store.list_people()  # connected and warm before the start, so the saves overlap
        start.wait(60)
        for i in range(SAVES):
            store.record_plan(
                person,
                {"age": 30, "tag": tag},
                {"schema": "plan/1", "n": i},
                knowledge_base_version="kb-test",
            )


def _run_all(target, argument_lists, watch=None) -> list[int | None]:
    """Run the children together; ``watch()`` is called over and over while they run."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=target, args=(*args, start)) for args in argument_lists]
    for p in procs:
        p.start()
    time.sleep(3)  # let every child import and get ready
    start.set()
    deadline = time.monotonic() + 180
    while watch is not None and any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        watch()
    for p in procs:
        p.join(180)
    return [p.exitcode for p in procs]


@pytest.mark.slow
def test_four_processes_open_a_new_store_at_once(store_url: str, tmp_path: Path) -> None:
    photos = str(tmp_path / "photos")
    codes = _run_all(_open_and_add, [(store_url, photos, f"P{i}") for i in range(OPENERS)])
    assert codes == [0] * OPENERS
    with open_store(store_url, photo_dir=photos) as store:
        assert sorted(p.name for p in store.list_people().people) == [
            f"P{i}" for i in range(OPENERS)
        ]
        with store.engine.connect() as con:
            assert current_revision(con) == HEAD


@pytest.mark.slow
def test_concurrent_plan_saves_leave_exactly_one_active_plan(
    store_url: str, tmp_path: Path
) -> None:
    photos = str(tmp_path / "photos")
    with open_store(store_url, photo_dir=photos) as store:
        person = store.add_person("Ann").person.id
    seen: list[int] = []
    engine = make_engine(normalise_url(store_url))
    count = text("SELECT count(*) FROM plans WHERE person_id = :p AND status = 'active'")

    def watch() -> None:  # how many plans are active at this moment, as others see it
        with engine.connect() as con:
            seen.append(int(con.execute(count, {"p": person}).scalar_one()))

    try:
        savers = [(store_url, photos, person, f"w{i}") for i in range(SAVERS)]
        codes = _run_all(_save_plans, savers, watch)
    finally:
        engine.dispose()
    assert codes == [0] * SAVERS
    with open_store(store_url, photo_dir=photos) as store:
        plans = store.records(person).plans
    assert len(plans) == SAVERS * SAVES
    assert [p.status for p in plans].count("active") == 1
    assert len(seen) > 20 and max(seen) == 1, f"{max(seen)} active plans at once"


def test_the_database_refuses_a_second_active_plan(store) -> None:
    from sqlalchemy.exc import IntegrityError

    ann = store.add_person("Ann").person
    store.record_plan(ann.id, {}, {"schema": "plan/1"}, knowledge_base_version="kb")
    with pytest.raises(IntegrityError), store.engine.begin() as con:
        con.execute(
            text(
                "INSERT INTO plans (id, person_id, occurred_at, knowledge_base_version, status, "
                "profile, plan) VALUES ('x2', :p, :t, 'kb', 'active', '{}', '{}')"
            ),
            {"p": ann.id, "t": datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)},
        )


def test_upgrading_keeps_only_the_newest_of_several_active_plans(store_url: str) -> None:
    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine, "0002")
        sqlite = engine.dialect.name == "sqlite"

        def at(day: int) -> datetime:
            when = datetime(2026, 1, day, tzinfo=UTC)
            return when.replace(tzinfo=None) if sqlite else when

        with engine.begin() as con:
            con.execute(
                text("INSERT INTO people (id, name, created_at) VALUES ('p1', 'Ann', :t)"),
                {"t": at(1)},
            )
            for plan_id, day in (("a", 2), ("b", 5), ("c", 3)):
                con.execute(
                    text(
                        "INSERT INTO plans (id, person_id, occurred_at, knowledge_base_version, "
                        "status, profile, plan) VALUES (:id, 'p1', :t, 'kb', 'active', '{}', '{}')"
                    ),
                    {"id": plan_id, "t": at(day)},
                )
        upgrade(engine)
        with engine.connect() as con:
            rows = dict(con.execute(text("SELECT id, status FROM plans")).all())
    finally:
        engine.dispose()
    assert rows == {"a": "superseded", "b": "active", "c": "superseded"}


def test_a_store_written_by_a_newer_scarwise_is_refused_clearly(store_url, tmp_path) -> None:
    open_store(store_url, photo_dir=tmp_path / "p").close()
    engine = make_engine(normalise_url(store_url))
    try:
        with engine.begin() as con:
            con.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        engine.dispose()
    with pytest.raises(UsageError) as err:
        open_store(store_url, photo_dir=tmp_path / "p")
    assert "newer scarwise" in err.value.message and "upgrade" in (err.value.hint or "")
