"""Tracking store at clinic scale: 10 years of daily regimen logs for 1,000 people.

Inserts (bulk) and queries the store on SQLite and PostgreSQL, then times ``Store.history`` (and
its JSON) for single people. Usage::

    python benchmarks/bench_store.py --backend sqlite --people 1000 --years 10
    python benchmarks/bench_store.py --backend postgresql --people 1000 --years 10

Each person gets one daily regimen item with a dose logged every day (3,650 rows per person,
3.65 M in all), a quarterly assessment (40) and a procedure session every six months (20). IDs
are random UUID hex strings, as the store makes them. The PostgreSQL run uses a throw-away schema
in SCARWISE_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), dropped at
the end; the SQLite run a temporary file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from scarwise.store import models as m
from scarwise.store import open_store
from scarwise.testing.store_fixtures import make_store_url


def _uid() -> str:
    return uuid.uuid4().hex


def fill(store, people: int, years: int, batch: int = 100_000) -> dict[str, float]:
    days = 365 * years
    start = datetime(2016, 1, 1, 20, 0, tzinfo=UTC)
    person_ids = [_uid() for _ in range(people)]
    regimen_ids = [_uid() for _ in range(people)]
    t0 = time.perf_counter()
    with store.writing() as s:
        s.execute(
            insert(m.Person),
            [
                {"id": p, "name": f"Person {i:05d}", "created_at": start}
                for i, p in enumerate(person_ids)
            ],
        )
        s.execute(
            insert(m.RegimenItem),
            [
                {
                    "id": r,
                    "person_id": p,
                    "treatment": "topical-retinoid",
                    "frequency": "daily",
                    "start_at": start,
                    "stop_at": None,
                    "notes": None,
                }
                for p, r in zip(person_ids, regimen_ids, strict=True)
            ],
        )
        s.execute(
            insert(m.Assessment),
            [
                {
                    "id": _uid(),
                    "person_id": p,
                    "occurred_at": start + timedelta(days=91 * q),
                    "scale": "scar-s",
                    "score": 4 - q * 4 // (4 * years),
                    "max": 5,
                    "rater": None,
                    "region": None,
                    "inputs": {"face": 3},
                    "result": {"schema": "score/1", "scale": "scar-s", "score": 3, "max": 5},
                }
                for p in person_ids
                for q in range(4 * years)
            ],
        )
        s.execute(
            insert(m.ProcedureSession),
            [
                {
                    "id": _uid(),
                    "person_id": p,
                    "occurred_at": start + timedelta(days=182 * k),
                    "treatment": "subcision",
                    "provider": "Dr B",
                    "settings": {},
                    "downtime_days": 3.0,
                    "side_effects": ["bruising"],
                    "outcome_rating": 4,
                    "notes": None,
                }
                for p in person_ids
                for k in range(2 * years)
            ],
        )
    t_small = time.perf_counter() - t0

    t1 = time.perf_counter()
    total = people * days
    if store.backend == "postgresql":
        _copy_doses(store, person_ids, regimen_ids, days, start)
    else:
        rows: list[dict[str, object]] = []
        with store.writing() as s:
            for p, r in zip(person_ids, regimen_ids, strict=True):
                for d in range(days):
                    rows.append(
                        {
                            "id": _uid(),
                            "person_id": p,
                            "regimen_id": r,
                            "occurred_at": start + timedelta(days=d),
                            "status": "taken",
                        }
                    )
                if len(rows) >= batch:
                    s.execute(insert(m.DoseLog), rows)
                    rows = []
            if rows:
                s.execute(insert(m.DoseLog), rows)
    t_doses = time.perf_counter() - t1
    with store.engine.begin() as con:
        if store.backend == "postgresql":
            con.execute(text("ANALYZE"))
        else:
            con.execute(text("ANALYZE"))
    return {
        "people": people,
        "dose_rows": total,
        "small_tables_s": round(t_small, 2),
        "dose_insert_s": round(t_doses, 1),
        "dose_rows_per_s": round(total / t_doses),
        "person_ids": person_ids,
    }  # type: ignore[dict-item]


def _copy_doses(store, person_ids, regimen_ids, days, start) -> None:
    raw = store.engine.raw_connection()
    try:
        con = raw.driver_connection
        with (
            con.cursor() as cur,
            cur.copy(
                "COPY dose_logs (id, person_id, regimen_id, occurred_at, status) FROM STDIN"
            ) as copy,
        ):
            for p, r in zip(person_ids, regimen_ids, strict=True):
                for d in range(days):
                    copy.write_row((_uid(), p, r, start + timedelta(days=d), "taken"))
        con.commit()
    finally:
        raw.close()


def query(store, person_ids: list[str], samples: int = 30) -> dict[str, object]:
    """Time single-person reads: wall clock and this process's CPU time (the machine is shared,
    so wall time includes waiting for a core; CPU time is what the call itself costs here)."""
    rng = random.Random(1)
    chosen = rng.sample(person_ids, min(samples, len(person_ids)))
    store.history(chosen[0])  # warm the connection pool and caches
    calls = {
        "history": lambda pid: store.history(pid),
        "history_json": None,
        "history_no_doses": lambda pid: store.history(
            pid, kinds=["assessment", "session", "plan", "photo", "analysis", "note"]
        ),
        "progress_1y": lambda pid: store.progress(pid, "2024-01-01", "2024-12-31"),
    }
    wall: dict[str, list[float]] = {k: [] for k in calls}
    cpu: dict[str, list[float]] = {k: [] for k in calls}
    events = 0
    for pid in chosen:
        for name, call in calls.items():
            if name == "history_json":
                continue
            w, c = time.perf_counter(), time.process_time()
            result = call(pid)
            wall[name].append(1000 * (time.perf_counter() - w))
            cpu[name].append(1000 * (time.process_time() - c))
            if name == "history":
                events = len(result.events)
                w, c = time.perf_counter(), time.process_time()
                json.dumps(result.to_json_dict())
                wall["history_json"].append(1000 * (time.perf_counter() - w))
                cpu["history_json"].append(1000 * (time.process_time() - c))
    out: dict[str, object] = {"events_per_person": events, "samples": len(chosen)}
    for name in calls:
        values, cpus = sorted(wall[name]), sorted(cpu[name])
        out[name + "_ms"] = {
            "median": round(statistics.median(values), 1),
            "p95": round(values[int(0.95 * (len(values) - 1))], 1),
            "max": round(values[-1], 1),
            "cpu_median": round(statistics.median(cpus), 1),
        }
    t = time.perf_counter()
    people = store.list_people()
    out["list_people_ms"] = round(1000 * (time.perf_counter() - t), 1)
    out["people_listed"] = len(people.people)
    out["load_average"] = os.getloadavg()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument(
        "--pg-schema",
        default=None,
        help="Keep the PostgreSQL store in this schema; if it exists, only run the queries.",
    )
    parser.add_argument(
        "--sqlite-file",
        type=Path,
        default=None,
        help="Keep the SQLite store in this file; if it exists, only run the queries.",
    )
    args = parser.parse_args()
    if args.pg_schema is not None:
        json.dump(run_pg_schema(args.pg_schema, args.people, args.years), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    if args.sqlite_file is not None:
        json.dump(run_sqlite_file(args.sqlite_file, args.people, args.years), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        json.dump(run(backend, args.people, args.years), sys.stdout, indent=1)
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 0


def run_sqlite_file(path: Path, people: int, years: int) -> dict[str, object]:
    """Fill ``path`` once (if it does not exist), then time the queries on it."""
    existed = path.exists()
    store = open_store(f"sqlite:///{path}", photo_dir=path.with_name(path.stem + "-photos"))
    result: dict[str, object] = {"backend": "sqlite", "file": str(path), "reused": existed}
    if not existed:
        filled = fill(store, people, years)
        filled.pop("person_ids")
        result.update(filled)
    with store.reading() as s:
        person_ids = list(s.scalars(select(m.Person.id).order_by(m.Person.id)))
        result["dose_rows"] = s.scalar(select(func.count()).select_from(m.DoseLog))
    result["db_size_mib"] = round(
        sum(f.stat().st_size for f in path.parent.glob(path.name + "*")) / 2**20
    )
    result.update(query(store, person_ids))
    store.close()
    return result


def run_pg_schema(schema: str, people: int, years: int) -> dict[str, object]:
    """Fill ``schema`` once (if it does not exist), then time the queries on it."""
    import psycopg

    from scarwise.testing.store_fixtures import pg_admin_url

    admin = pg_admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as con:
        existed = (
            con.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
            ).fetchone()
            is not None
        )
        if not existed:
            con.execute(f'CREATE SCHEMA "{schema}"')
    url = (
        admin.replace("postgresql://", "postgresql+psycopg://", 1)
        + f"?options=-csearch_path%3D{schema}"
    )
    store = open_store(url, photo_dir=Path(tempfile.gettempdir()) / f"{schema}-photos")
    result: dict[str, object] = {"backend": "postgresql", "schema": schema, "reused": existed}
    if not existed:
        filled = fill(store, people, years)
        filled.pop("person_ids")
        result.update(filled)
    with store.reading() as s:
        person_ids = list(s.scalars(select(m.Person.id).order_by(m.Person.id)))
        result["dose_rows"] = s.scalar(select(func.count()).select_from(m.DoseLog))
    result.update(query(store, person_ids))
    store.close()
    return result


def run(backend: str, people: int, years: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="scarwise-bench-") as tmp:
        url, drop = make_store_url(backend, Path(tmp))
        try:
            store = open_store(url, photo_dir=Path(tmp) / "photos")
            filled = fill(store, people, years)
            person_ids = filled.pop("person_ids")
            size = None
            if backend == "sqlite":
                size = round(sum(f.stat().st_size for f in Path(tmp).glob("store.db*")) / 2**20)
            else:
                with store.engine.connect() as con:
                    size = round(
                        con.execute(
                            text(
                                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                            )
                        ).scalar()
                        / 2**20
                    )
            result = {
                "backend": backend,
                **filled,
                "db_size_mib": size,
                **query(store, person_ids),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            }
            store.close()
        finally:
            drop()
    return result


if __name__ == "__main__":
    raise SystemExit(main())
