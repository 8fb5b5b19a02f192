"""Schemathesis against the in-process API: no generated input may cause a 500."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from scarwise.config import Settings
from scarwise.web import create_app

_DATA = tempfile.TemporaryDirectory(prefix="scarwise-schemathesis-")
APP = create_app(
    Settings(data_dir=_DATA.name, database_url=None, max_upload_bytes=200_000),
    allowed_hosts=["testserver"],
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False and body["error"]["code"] in {
            "usage",
            "invalid_input",
            "not_found",
        }
