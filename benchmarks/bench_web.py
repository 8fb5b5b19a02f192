"""``POST /api/v1/plan`` throughput against a bare FastAPI endpoint, in the same run.

Starts two uvicorn servers on loopback one after the other (same settings: one process, no
access log): the scarwise app (all middleware on: security headers, Host allowlist, CSRF
cookie, body limits) and a bare FastAPI app whose POST endpoint returns a constant. Each gets the
same load with ``wrk`` (Debian's package) when it is installed, else a bounded asyncio/httpx
loop, and the same JSON body (``contracts/examples/profile-example.json``). Usage::

    python benchmarks/bench_web.py                 # wrk if present, 9 rounds of 3 s each
    python benchmarks/bench_web.py --distinct      # cycle through 500 different profiles
    python benchmarks/bench_web.py --in-process    # ASGI calls without sockets (best of 5)
    python benchmarks/bench_web.py --tool httpx    # without wrk (client-bound: Python is slow)

The goal (issue 8) is at least 50 % of the bare endpoint's requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROFILE = json.loads(
    (ROOT.parent / "shared" / "contracts" / "examples" / "profile-example.json").read_text()
    if (ROOT.parent / "shared" / "contracts" / "examples" / "profile-example.json").exists()
    else json.dumps(
        {
            "age": 27,
            "fitzpatrick": 4,
            "scars": {"icepick": 12, "boxcar_shallow": 5, "boxcar_deep": 2, "rolling": 8},
            "marks": {"erythema": True},
            "budget_usd": 3000,
            "max_downtime_days": 7,
        }
    )
)


def _serve(kind: str, port: int, data_dir: str) -> None:
    """Run one server in this process (the benchmark starts two of these as subprocesses)."""
    import uvicorn
    from fastapi import FastAPI

    if kind == "bare":
        app = FastAPI()

        @app.post("/bare")
        async def bare() -> dict[str, bool]:
            return {"ok": True}

    else:
        from scarwise.config import Settings
        from scarwise.web import create_app

        app = create_app(Settings(data_dir=data_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(kind: str, data_dir: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--data-dir", data_dir]
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def _wrk(url: str, bodies: list[str], seconds: int, connections: int) -> float:
    """Requests per second from ``wrk``; the bodies are sent in turn (a Lua ``request`` hook)."""
    table = ",\n".join(json.dumps(b) for b in bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(
            f"local bodies = {{{table}}}\n"
            "local i = 0\n"
            "request = function()\n"
            "  i = i % #bodies + 1\n"
            '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])\n'
            "end\n"
        )
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", lua.name, url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


async def _httpx_loop(url: str, bodies: list[str], seconds: int, connections: int) -> float:
    import httpx

    done = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(
        limits=limits, headers={"content-type": "application/json"}
    ) as client:

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.monotonic() < stop:
                response = await client.post(url, content=bodies[i % len(bodies)])
                response.raise_for_status()
                done += 1
                i += connections

        start = time.monotonic()
        await asyncio.gather(*(worker(k) for k in range(connections)))
        return done / (time.monotonic() - start)


def _bare_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    return app


async def _asgi_call(app: Any, path: str, body: bytes) -> int:
    """One request straight into the ASGI app (no sockets): what the framework and we cost."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _in_process(data_dir: str, calls: int, repeats: int) -> None:
    """Per-request time in-process, best of ``repeats`` (steadier than sockets on a busy machine)."""
    from scarwise.config import Settings
    from scarwise.web import create_app

    ours, bare = create_app(Settings(data_dir=data_dir)), _bare_app()
    one = [json.dumps(PROFILE).encode()]
    distinct = [b.encode() for b in _distinct_bodies(calls)]

    async def best(app: Any, path: str, bodies: list[bytes]) -> float:
        for body in bodies[:20]:
            assert await _asgi_call(app, path, body) == 200
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for i in range(calls):
                await _asgi_call(app, path, bodies[i % len(bodies)])
            times.append((time.perf_counter() - start) / calls * 1e6)
        return min(times)

    async def run() -> dict[str, float]:
        return {
            "bare": await best(bare, "/bare", one),
            "plan, repeated profile": await best(ours, "/api/v1/plan", one),
            "plan, distinct profiles": await best(ours, "/api/v1/plan", distinct),
        }

    results = asyncio.run(run())
    print(f"in-process ASGI calls: best of {repeats} x {calls} requests")
    for name, micros in results.items():
        print(
            f"{name:24}: {micros:7.0f} us/request = {results['bare'] / micros:6.1%} of bare throughput"
        )


def _distinct_bodies(n: int) -> list[str]:
    bodies = []
    for i in range(n):
        profile = dict(PROFILE)
        profile["age"] = 18 + i % 60
        profile["fitzpatrick"] = 1 + i % 6
        profile["scars"] = {**PROFILE.get("scars", {}), "icepick": i % 40, "rolling": (i * 7) % 30}
        profile["budget_usd"] = 1000 + i  # makes every body unique: the plan cache always misses
        bodies.append(json.dumps(profile))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=9, help="alternating runs per endpoint (median)"
    )
    parser.add_argument(
        "--distinct", action="store_true", help="cycle through 500 different profiles"
    )
    parser.add_argument("--in-process", action="store_true", help="time ASGI calls, no sockets")
    parser.add_argument("--serve", choices=["bare", "scarwise"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.port, args.data_dir)
        return
    if args.in_process:
        with tempfile.TemporaryDirectory() as data_dir:
            _in_process(data_dir, calls=500, repeats=5)
        return
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    bodies = _distinct_bodies(500) if args.distinct else [json.dumps(PROFILE)]
    runs: dict[str, list[float]] = {"bare": [], "scarwise": []}
    with tempfile.TemporaryDirectory() as data_dir:
        servers = {kind: _start(kind, data_dir) for kind in runs}
        try:
            for _ in range(args.rounds):  # alternate, so noise from a shared machine hits both
                for kind, path in (("bare", "/bare"), ("scarwise", "/api/v1/plan")):
                    url = f"http://127.0.0.1:{servers[kind][1]}{path}"
                    if tool == "wrk":
                        _wrk(url, bodies, 1, args.connections)  # warm-up
                        runs[kind].append(_wrk(url, bodies, args.seconds, args.connections))
                    else:
                        runs[kind].append(
                            asyncio.run(_httpx_loop(url, bodies, args.seconds, args.connections))
                        )
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=10)
    bare, ours = statistics.median(runs["bare"]), statistics.median(runs["scarwise"])
    paired = sorted(o / b for o, b in zip(runs["scarwise"], runs["bare"], strict=True))
    print(
        f"tool={tool} connections={args.connections} seconds={args.seconds} rounds={args.rounds} "
        f"profiles={'500 distinct' if args.distinct else 'one'}"
    )
    for label, kind, median in (
        ("bare FastAPI constant", "bare", bare),
        ("POST /api/v1/plan", "scarwise", ours),
    ):
        listed = ", ".join(f"{r:.0f}" for r in runs[kind])
        print(f"{label:22}: {median:8.0f} req/s median (runs: {listed})")
    print(
        f"ratio, paired rounds  : {statistics.median(paired):8.1%} median "
        f"(range {paired[0]:.0%}-{paired[-1]:.0%}; goal >= 50 %)"
    )


if __name__ == "__main__":
    main()
