"""``scarwise serve``: a real process on a free loopback port, and the warning for other hosts."""

from __future__ import annotations

import gc
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scarwise.cli.main import run
from scarwise.planner import plan
from scarwise.web.server import GC_THRESHOLDS, tune_garbage_collector


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SCARWISE_DATA_DIR": str(tmp_path / "data"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    env.pop("SCARWISE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "scarwise", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(url: str, proc: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.communicate()
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


@pytest.mark.slow
def test_serve_answers_on_loopback_with_the_sqlite_store(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(["--port", str(port)], tmp_path)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc)
        assert response.json()["store"] == "sqlite"
        people = httpx.get(f"http://127.0.0.1:{port}/people", timeout=5)
        assert people.status_code == 200
        assert (tmp_path / "data" / "scarwise.db").is_file()  # the default store, in the data dir
        # plans over real HTTP: the library's plan object, and errors as the contract's object
        profile = {"age": 30, "fitzpatrick": 5, "scars": {"rolling": 6, "icepick": 3}}
        body = json.dumps(profile).encode()
        url = f"http://127.0.0.1:{port}/api/v1/plan"
        json_type = {"content-type": "application/json"}
        planned = httpx.post(url, content=body, headers=json_type, timeout=30)
        assert planned.status_code == 200
        assert planned.headers["content-type"] == "application/json"
        assert planned.json() == plan(profile).to_json_dict()
        assert planned.json()["ok"] is True and planned.json()["schema"] == "plan/1"
        invalid = httpx.post(url, content=b'{"age": 3}', headers=json_type, timeout=30)
        assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_input"
        foreign = httpx.post(url, content=body, headers={**json_type, "host": "evil.example"})
        assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "usage"
        big = httpx.post(url, content=b" " * 1_100_000, headers=json_type, timeout=30)
        assert big.status_code == 413 and big.json()["error"]["code"] == "invalid_input"
        for response in (planned, invalid, foreign, big):
            assert response.headers["cache-control"] == "no-store"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "WARNING" not in err
    assert f"http://127.0.0.1:{port}/" in err


@pytest.mark.slow
def test_serve_warns_loudly_off_loopback(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(
        ["--host", "0.0.0.0", "--port", str(port), "--db", f"sqlite:///{tmp_path}/other.db"],
        tmp_path,
    )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc)
        assert response.status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "WARNING" in err and "reachable from other machines" in err


def test_server_collects_garbage_less_often_and_freezes_start_up_objects() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # modules, the loaded app code, pydantic schemas
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_serve_rejects_a_bad_port() -> None:
    assert run(["serve", "--port", "70000"]) == 2


def test_serve_is_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
