"""Fixtures for the web tests: an app on a temporary data dir and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from scarwise.config import Settings
from scarwise.web import create_app

BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, max_upload_bytes=2_000_000)


@pytest.fixture
def web_app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, base_url=BASE_URL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def base_url() -> str:
    return BASE_URL


@pytest.fixture
def token(client: TestClient) -> str:
    """Visit the home page so the client holds the CSRF cookie; return the token."""
    client.get("/")
    value = client.cookies.get("scarwise_csrf")
    assert value
    return value
