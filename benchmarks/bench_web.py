"""``POST /api/v1/plan`` throughput against a bare FastAPI endpoint, in the same run.

Starts two uvicorn servers on loopback one after the other (same settings: one process, no
access log): the scarwise app as ``scarwise serve`` runs it (security headers, Host allowlist,
CSRF cookie, body limits; a successful plan is answered by the direct path of
``scarwise/web/plan_direct.py``, which applies the same checks and headers without FastAPI's
middleware stack; ``--full-app`` turns it off) and a bare FastAPI app whose POST endpoint
returns a constant. Each gets the same load with ``wrk`` (Debian's package) when it is
installed, else a bounded asyncio/httpx loop, and the same JSON body
(``contracts/examples/profile-example.json``). Usage::

    python benchmarks/bench_web.py                 # wrk if present, 9 rounds of 3 s each
    python benchmarks/bench_web.py --distinct      # cycle through 2,000 different random profiles
    python benchmarks/bench_web.py --fresh         # a new random profile for every request (wrk)
    python benchmarks/bench_web.py --uncached      # the same profile, but planned every time
    python benchmarks/bench_web.py --fresh --full-app  # plans through FastAPI's full stack
    python benchmarks/bench_web.py --fresh --ceiling  # also plan_json with no framework at all
    python benchmarks/bench_web.py --in-process    # ASGI calls without sockets (best of 5)
    python benchmarks/bench_web.py --gc            # plan_json time per garbage-collector setting
    python benchmarks/bench_web.py --tool httpx    # without wrk (client-bound: Python is slow)

The goal (issue 8) is at least 50 % of the bare endpoint's requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
    """Run one server in this process (the benchmark starts two or three as subprocesses).

    The bare and scarwise apps run through :func:`scarwise.web.server.run`, exactly as
    ``scarwise serve`` runs the app (same uvicorn options, same garbage-collector settings; only
    the start-up log lines are off).
    """
    from scarwise.web.server import run

    if kind == "planner-only":
        _serve_planner_only(port)
        return
    if kind == "bare":
        app = _bare_app()  # the same app the in-process comparison calls
    else:
        from scarwise.config import Settings
        from scarwise.web import api, create_app

        if kind.endswith("-uncached"):  # --uncached: every request planned, even a repeated one
            api.plan_json = api.plan_json.__wrapped__  # type: ignore[assignment]
        app = create_app(Settings(data_dir=data_dir))
        if kind.startswith("scarwise-full"):  # --full-app: no direct path, every plan via FastAPI
            app.plan_direct = None  # type: ignore[attr-defined]
    run(app, host="127.0.0.1", port=port, log_level="warning")  # no start-up lines


def _serve_planner_only(port: int) -> None:
    """``--ceiling``: ``plan_json`` behind a minimal asyncio HTTP/1.1 loop, no framework.

    Not a server for anything but this measurement (no header validation, keep-alive only): it
    shows how many plans per second the planner and its JSON allow on this machine when nothing
    else runs in the process (every body planned, the cache of recent bodies bypassed), the
    upper limit for a planned ``POST /api/v1/plan`` under any framework.
    """
    from scarwise.errors import ScarwiseError
    from scarwise.knowledge.loader import load_knowledge_base
    from scarwise.planner.rules import index_for
    from scarwise.web.api import plan_json as cached_plan_json
    from scarwise.web.server import tune_garbage_collector

    plan_json = (
        cached_plan_json.__wrapped__
    )  # every body planned: the planner's limit, not the cache's

    class PlanOnly(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                head = self.buffer[:end].lower()
                at = head.find(b"content-length:")
                size = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(self.buffer) < end + 4 + size:
                    return
                body, self.buffer = (
                    self.buffer[end + 4 : end + 4 + size],
                    self.buffer[end + 4 + size :],
                )
                try:
                    status, out = b"200 OK", plan_json(body)
                except ScarwiseError:
                    status, out = b"422 Unprocessable Entity", b"{}"
                self.transport.write(
                    b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
                    % (status, len(out))
                    + out
                )

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(PlanOnly, "127.0.0.1", port)
        await server.serve_forever()

    index_for(load_knowledge_base())
    tune_garbage_collector()
    asyncio.run(serve())


def _http_stack() -> str:
    """What uvicorn's ``auto`` settings pick here: httptools and uvloop when installed."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn http={http} loop={loop}"


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


def _fresh_profile_lua(seed: int) -> str:
    """A wrk ``request`` hook that sends a new random profile every time (``--fresh``).

    Same distribution as :func:`_distinct_bodies`, drawn by wrk's Lua, so the server sees
    profiles it has never planned for as long as the run lasts (no repeats to cache).
    """
    from scarwise.knowledge.vocabulary import TREATMENT_IDS

    ids = ", ".join(json.dumps(t) for t in TREATMENT_IDS)
    return (
        f"math.randomseed({seed})\n"
        f"local ids = {{{ids}}}\n"
        """local scar_kinds = {"icepick", "boxcar_shallow", "boxcar_deep", "rolling", "hypertrophic", "keloid", "papular"}
local function pick(t) return t[math.random(#t)] end
local function flag(p) if math.random() < p then return "true" else return "false" end end
local function sample(t, k)
  local copy, out = {}, {}
  for i = 1, #t do copy[i] = t[i] end
  for i = 1, k do
    local j = math.random(i, #copy)
    copy[i], copy[j] = copy[j], copy[i]
    out[i] = '"' .. copy[i] .. '"'
  end
  return "[" .. table.concat(out, ", ") .. "]"
end
request = function()
  local scars = {}
  for i, k in ipairs(scar_kinds) do
    local n = 0
    if math.random(3) == 3 then n = math.random(40) end
    scars[i] = '"' .. k .. '": ' .. n
  end
  local budget = "null"
  local b = math.random(3)
  if b == 2 then budget = tostring(math.random(0, 20000)) elseif b == 3 then budget = string.format("%.2f", math.random() * 9000) end
  local downtime = "null"
  if math.random(2) == 2 then downtime = tostring(math.random(0, 21)) end
  local body = "{" ..
    '"age": ' .. math.random(12, 80) ..
    ', "sex": "' .. pick({"female", "male", "other", "unknown"}) .. '"' ..
    ', "fitzpatrick": ' .. math.random(1, 6) ..
    ', "scars": {' .. table.concat(scars, ", ") .. "}" ..
    ', "marks": {"erythema": ' .. flag(0.4) .. ', "hyperpigmentation": ' .. flag(0.4) .. ', "hypopigmentation": ' .. flag(0.4) .. "}" ..
    ', "regions": ' .. sample({"face", "chest", "back", "other"}, math.random(1, 3)) ..
    ', "active_acne": "' .. pick({"none", "none", "mild", "moderate", "severe"}) .. '"' ..
    ', "isotretinoin": "' .. pick({"never", "never", "current", "stopped_within_6_months", "stopped_over_6_months"}) .. '"' ..
    ', "pregnant_or_breastfeeding": ' .. flag(0.15) ..
    ', "keloid_history": ' .. flag(0.15) ..
    ', "herpes_labialis_history": ' .. flag(0.25) ..
    ', "anticoagulants": ' .. flag(0.1) ..
    ', "bdd_screen_positive": ' .. flag(0.1) ..
    ', "budget_usd": ' .. budget ..
    ', "max_downtime_days": ' .. downtime ..
    ', "prefers": ' .. sample(ids, pick({0, 0, 0, 1, 2})) ..
    ', "avoids": ' .. sample(ids, pick({0, 0, 1, 2, 3})) ..
    "}"
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""
    )


def _wrk(
    url: str, bodies: list[str] | None, seconds: int, connections: int, seed: int = 1
) -> float:
    """Requests per second from ``wrk``: the bodies in turn, or a fresh random profile each."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if bodies is None:
            lua.write(_fresh_profile_lua(seed))
        else:
            table = ",\n".join(json.dumps(b) for b in bodies)
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
    from scarwise.web.server import tune_garbage_collector

    ours, bare = create_app(Settings(data_dir=data_dir)), _bare_app()
    tune_garbage_collector()  # as scarwise.web.server.run does for both servers
    one = [json.dumps(PROFILE).encode()]
    distinct = [b.encode() for b in _distinct_bodies(calls * repeats)]  # none repeats

    async def best(app: Any, path: str, bodies: list[bytes]) -> float:
        for body in bodies[:20]:
            assert await _asgi_call(app, path, body) == 200
        times = []
        for r in range(repeats):  # each repeat gets new bodies (while there are enough)
            start = time.perf_counter()
            for i in range(calls):
                await _asgi_call(app, path, bodies[(r * calls + i) % len(bodies)])
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


def _gc_compare() -> None:
    """``plan_json`` per profile with CPython's default GC thresholds, scarwise's, and GC off.

    Each setting runs in a fresh process with the knowledge base loaded: first 10,000 random
    profiles from a fresh start (the planner's memos filling), then, after 10,000 more, 20,000
    others (memos warm); process CPU time.
    """
    for setting in ("default", "scarwise", "off"):
        code = (
            "import gc, sys, time\n"
            f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "from bench_web import _distinct_bodies\n"
            "from scarwise.knowledge.loader import load_knowledge_base\n"
            "from scarwise.planner.rules import index_for\n"
            "from scarwise.web.api import plan_json\n"
            "from scarwise.web.server import tune_garbage_collector\n"
            "index_for(load_knowledge_base())\n"
            "f = plan_json.__wrapped__\n"
            "first = [b.encode() for b in _distinct_bodies(10000, seed=9)]\n"
            "bodies = [b.encode() for b in _distinct_bodies(20000, seed=4)]\n"
            f"setting = {setting!r}\n"
            "if setting != 'default': tune_garbage_collector()\n"
            "if setting == 'off': gc.disable()\n"
            "def per_plan(items):\n"
            "    start = time.process_time()\n"
            "    for b in items: f(b)\n"
            "    return (time.process_time() - start) / len(items) * 1e6\n"
            "cold = per_plan(first)\n"
            "for b in _distinct_bodies(10000, seed=3): f(b.encode())\n"
            "warm = per_plan(bodies)\n"
            "print(f'{setting:9}: {cold:6.1f} us per plan from a fresh start, {warm:6.1f} us warm')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


def _distinct_bodies(n: int, seed: int = 8) -> list[str]:
    """``n`` different valid profiles drawn at random over every field of ``contracts/profile.md``.

    Every safety factor, scar count, mark, region, budget, downtime limit, preference and
    avoidance varies, so the planner's memos of shared parts (blocked sets per fact combination,
    candidates per target set, recommendations, exclusions) see the variety real visitors would
    bring, and no two bodies are equal (the 256-entry cache of whole answers never hits).
    """
    from scarwise.knowledge.vocabulary import TREATMENT_IDS

    rng = random.Random(seed)
    scar_kinds = ("icepick", "boxcar_shallow", "boxcar_deep", "rolling", "hypertrophic", "keloid", "papular")  # fmt: skip
    seen: set[str] = set()
    bodies: list[str] = []
    while len(bodies) < n:
        profile = {
            "age": rng.randint(12, 80),
            "sex": rng.choice(["female", "male", "other", "unknown"]),
            "fitzpatrick": rng.randint(1, 6),
            "scars": {k: rng.choice([0, 0, rng.randint(1, 40)]) for k in scar_kinds},
            "marks": {
                k: rng.random() < 0.4 for k in ("erythema", "hyperpigmentation", "hypopigmentation")
            },
            "regions": rng.sample(["face", "chest", "back", "other"], rng.randint(1, 3)),
            "active_acne": rng.choice(["none", "none", "mild", "moderate", "severe"]),
            "isotretinoin": rng.choice(
                ["never", "never", "current", "stopped_within_6_months", "stopped_over_6_months"]
            ),
            "pregnant_or_breastfeeding": rng.random() < 0.15,
            "keloid_history": rng.random() < 0.15,
            "herpes_labialis_history": rng.random() < 0.25,
            "anticoagulants": rng.random() < 0.1,
            "bdd_screen_positive": rng.random() < 0.1,
            "budget_usd": rng.choice(
                [None, rng.randint(0, 20_000), round(rng.uniform(0, 9000), 2)]
            ),
            "max_downtime_days": rng.choice([None, rng.randint(0, 21)]),
            "prefers": rng.sample(TREATMENT_IDS, rng.choice([0, 0, 0, 1, 2])),
            "avoids": rng.sample(TREATMENT_IDS, rng.choice([0, 0, 1, 2, 3])),
        }
        body = json.dumps(profile)
        if body not in seen:
            seen.add(body)
            bodies.append(body)
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
        "--distinct", action="store_true", help="cycle through 2,000 different random profiles"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="a new random profile for every request (wrk only; the strictest test)",
    )
    parser.add_argument(
        "--gc", action="store_true", help="plan_json time per GC setting (default, scarwise, off)"
    )
    parser.add_argument("--in-process", action="store_true", help="time ASGI calls, no sockets")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also serve plan_json with no framework (the planner's own limit)",
    )
    parser.add_argument(
        "--serve",
        choices=[
            "bare",
            "scarwise",
            "scarwise-uncached",
            "scarwise-full",
            "scarwise-full-uncached",
            "planner-only",
        ],
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--uncached",
        action="store_true",
        help="serve the plan without its cache of recent bodies (every request planned)",
    )
    parser.add_argument(
        "--full-app",
        action="store_true",
        help="plans through FastAPI's full stack, the direct path (web/plan_direct.py) off",
    )
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.port, args.data_dir)
        return
    if args.gc:
        _gc_compare()
        return
    if args.in_process:
        with tempfile.TemporaryDirectory() as data_dir:
            _in_process(data_dir, calls=1000, repeats=5)
        return
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    if args.fresh and tool != "wrk":
        parser.error("--fresh needs wrk")
    bodies: list[str] | None = (
        None if args.fresh else _distinct_bodies(2000) if args.distinct else [json.dumps(PROFILE)]
    )
    runs: dict[str, list[float]] = {"bare": [], "scarwise": []}
    if args.ceiling:
        runs["planner-only"] = []
    paths = {"bare": "/bare", "scarwise": "/api/v1/plan", "planner-only": "/"}
    with tempfile.TemporaryDirectory() as data_dir:
        served = "scarwise" + ("-full" if args.full_app else "")
        served += "-uncached" if args.uncached else ""
        servers = {kind: _start(served if kind == "scarwise" else kind, data_dir) for kind in runs}
        try:
            for round_no in range(
                args.rounds
            ):  # alternate, so noise from a shared machine hits both
                for kind in runs:
                    url = f"http://127.0.0.1:{servers[kind][1]}{paths[kind]}"
                    if tool == "wrk":
                        _wrk(url, bodies, 1, args.connections, seed=2 * round_no + 1)  # warm-up
                        runs[kind].append(
                            _wrk(url, bodies, args.seconds, args.connections, seed=2 * round_no + 2)
                        )
                    else:
                        assert bodies is not None  # --fresh needs wrk (checked above)
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
        f"profiles={'a fresh random one per request' if args.fresh else '2,000 distinct random' if args.distinct else 'one'}"
        f"{', plan cache off' if args.uncached else ''}"
        f"{', direct path off (full FastAPI stack)' if args.full_app else ''} "
        f"({_http_stack()})"
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
    if args.ceiling:
        only = statistics.median(runs["planner-only"])
        listed = ", ".join(f"{r:.0f}" for r in runs["planner-only"])
        print(f"{'plan_json, no framework':22}: {only:8.0f} req/s median (runs: {listed})")
        ceiling = sorted(o / b for o, b in zip(runs["planner-only"], runs["bare"], strict=True))
        print(
            f"ceiling, paired rounds: {statistics.median(ceiling):8.1%} median of bare FastAPI "
            "(the planner alone, no framework)"
        )


if __name__ == "__main__":
    main()
