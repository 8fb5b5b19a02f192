"""pytest fixtures for the tracking store, on SQLite and on PostgreSQL.

Use it from a ``conftest.py`` with ``from scarwise.testing.store_fixtures import *``. The
``store`` fixture is parametrised over both engines: ``[sqlite]`` uses a fresh file in
``tmp_path``; ``[postgresql]`` a fresh schema in the database named by
``SCARWISE_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``), dropped
after the test. Schema names carry the process id and a random token, so parallel runs never
share tables.

If PostgreSQL does not answer, the ``[postgresql]`` tests **fail** with a message saying how to
start it (``scripts/ensure-postgres``); they are never skipped.

:func:`fill_demo_history` writes a plausible six-month history (scores, sessions, regimen with
doses, analyses, two photos) for demos and screenshots; it is a pure function of its seed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scarwise.config import Settings

__all__ = [
    "DEFAULT_POSTGRES_URL",
    "TickingClock",
    "fill_demo_history",
    "make_store_url",
    "pg_admin_url",
    "store",
    "store_backend",
    "store_url",
]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


class TickingClock:
    """A deterministic clock: starts at ``start`` and moves one second per call."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def pg_admin_url() -> str:
    return os.environ.get("SCARWISE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _pg_connect() -> Any:
    import psycopg

    url = pg_admin_url()
    try:
        return psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"),
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as err:
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({str(err).strip().splitlines()[0]}). The store tests "
            "run on both SQLite and PostgreSQL and are never skipped: start it with "
            "scripts/ensure-postgres or point SCARWISE_TEST_POSTGRES_URL at a server.",
            pytrace=False,
        )


def make_store_url(backend: str, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A fresh, empty store URL on ``backend`` and a function that removes it again."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}", lambda: None
    schema = f"scarwise_test_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_connect() as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    base = pg_admin_url().replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with _pg_connect() as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgresql"``: each store test runs once on each."""
    return str(request.param)


@pytest.fixture
def store_url(store_backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty store (not yet migrated) on the current backend."""
    url, drop = make_store_url(store_backend, tmp_path)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Any]:
    """An open, migrated :class:`scarwise.store.Store` with a deterministic clock."""
    from scarwise.store import open_store

    settings = Settings(data_dir=tmp_path / "data", database_url=None)
    opened = open_store(
        store_url, settings=settings, photo_dir=tmp_path / "photos", clock=TickingClock()
    )
    try:
        yield opened
    finally:
        opened.close()


def fill_demo_history(store: Any, *, name: str = "Demo Person", seed: int = 7) -> str:
    """Add one person with a made-up six-month course of treatment; returns their id.

    Everything is synthetic and deterministic for a given ``seed``: four ECCA and SCAR-S
    assessments that improve, three procedure sessions, a daily retinoid and sunscreen with
    about 80 % adherence, ``analyze3d``/``analyze`` summaries that fall, and a before/after pair of
    generated skin photos (the second taken from a slightly shifted camera), stored through the
    intake gate like any upload.
    """
    import io

    import numpy as np
    from PIL import Image

    from scarwise.workflows import record_assessment

    rng = np.random.default_rng(seed)
    person = store.add_person(name).person
    start = datetime(2026, 1, 5, tzinfo=UTC)
    counts = [(12, 6, 25), (10, 5, 22), (8, 4, 18), (6, 3, 12)]
    for k, (boxcar, rolling, icepick) in enumerate(counts):
        when = start + timedelta(days=45 * k)
        ecca = {"counts": {"boxcar_u": boxcar, "rolling_m": rolling, "icepick_v": icepick}}
        record_assessment(store, person.id, "ecca", ecca, date=when, rater="demo")
        record_assessment(
            store, person.id, "scar-s", {"face": max(1, 4 - k)}, date=when, rater="demo"
        )
        after = when + timedelta(days=1)
        summary = {
            "count": 30 - 4 * k,
            "total_volume_mm3": round(9.5 - 1.8 * k, 2),
            "mean_depth_mm": 0.3,
        }
        store.record_analysis(
            person.id,
            {"schema": "analyze3d/1", "scarwise_version": "demo", "summary": summary},
            date=after,
        )
        indices = {
            "mean_a_star": round(15.0 - 1.1 * k, 2),
            "erythema_index": round(0.5 - 0.04 * k, 3),
        }
        store.record_analysis(
            person.id,
            {"schema": "analyze/1", "scarwise_version": "demo", "indices": indices},
            date=after,
        )
    for treatment, session_day in (
        ("subcision", "2026-01-20"),
        ("fractional-ablative-laser", "2026-03-01"),
        ("subcision", "2026-04-10"),
    ):
        store.add_session(
            person.id,
            treatment,
            date=session_day,
            provider="Demo clinic",
            downtime_days=3,
            side_effects=["swelling"],
            outcome_rating=4,
        )
    retinoid = store.add_regimen_item(person.id, "topical-retinoid", "daily", start=start).regimen
    sunscreen = store.add_regimen_item(person.id, "sunscreen", "daily", start=start).regimen
    for day in range(170):
        when = start + timedelta(days=day, hours=20)
        if rng.random() < 0.8:
            store.log_dose(retinoid.id, date=when)
        if rng.random() < 0.6 + 0.3 * (day > 60):
            store.log_dose(sunscreen.id, date=when - timedelta(hours=12))
    yy, xx = np.mgrid[0:300, 0:400]
    texture = 8 * np.sin(xx / 23.0) + 6 * np.cos(yy / 17.0) + rng.normal(0, 1.5, (300, 400))

    def skin(fade: float) -> Any:
        base = np.stack([205.0 + texture, 160.0 + texture, 140.0 + texture], axis=-1)
        for cx, cy, r, depth in (
            (120, 100, 9, 50),
            (240, 150, 12, 60),
            (190, 220, 7, 45),
            (300, 100, 10, 55),
        ):
            base[((xx - cx) ** 2 + (yy - cy) ** 2) < r * r] -= depth * fade
        return np.clip(base, 0, 255).astype(np.uint8)

    for pixels, taken in (
        (skin(1.0)[30:270, 40:360], "2026-01-05"),
        (skin(0.4)[34:274, 34:354], "2026-06-20"),
    ):
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG")
        store.add_photo_bytes(
            person.id, buffer.getvalue(), name="demo.png", date=taken, region="face"
        )
    return str(person.id)
