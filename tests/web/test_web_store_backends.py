"""The progress pages on both stores: SQLite and PostgreSQL (the same flow, the same results)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from scarwise.config import Settings
from scarwise.testing.store_fixtures import store, store_backend, store_url  # noqa: F401 - fixtures
from scarwise.web import create_app


@pytest.fixture
def backend_client(store: Any, tmp_path: Path) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(Settings(data_dir=tmp_path / "web"), store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 130, 110)).save(buf, "PNG")
    return buf.getvalue()


def test_dashboard_flow_on_each_store(backend_client: TestClient, store_backend: str) -> None:  # noqa: F811
    c = backend_client
    c.get("/")
    token = c.cookies["scarwise_csrf"]
    person = c.post(
        "/people", data={"name": f"On {store_backend}", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    for day in ("2026-01-10", "2026-03-10"):
        added = c.post(
            f"/people/{person_id}/photos",
            data={"csrf_token": token, "date": day},
            files={"photo": ("p.png", _png())},
        )
        assert added.status_code == 200
    c.post(
        f"/people/{person_id}/sessions",
        data={"csrf_token": token, "treatment": "subcision", "date": "2026-02-01"},
    )
    page = c.get(f"/people/{person_id}").text
    photo_ids = re.findall(rf"/people/{person_id}/photos/([0-9a-f]+)\.png", page)
    assert len(set(photo_ids)) == 2  # the before/after pair
    png = c.get(f"/people/{person_id}/photos/{photo_ids[0]}.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert "subcision" in page
    deleted = c.post(
        f"/people/{person_id}/delete",
        data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert c.get(f"/people/{person_id}").status_code == 404
    assert c.get(f"/people/{person_id}/photos/{photo_ids[0]}.png").status_code == 404
