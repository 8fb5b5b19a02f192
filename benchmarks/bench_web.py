"""Requests per second and latency of a real ``scarwise serve``: the plan endpoint and health.

Starts ``scarwise serve`` (uvicorn, as a user runs it) on a free loopback port with a temporary
SQLite store, then loads it with 1 and with 8 concurrent clients, one after the other:

* ``POST /api/v1/plan`` with random valid profiles (every field of ``contracts/profile.md``
  drawn at random; a few thousand different bodies taken in turn);
* ``GET /api/v1/health``.

For each it reports requests per second and the median (p50) and 95th-percentile (p95)
latency. The load comes from ``wrk`` (with ``--latency``; a Lua hook reports the percentiles)
when it is installed, else from a small asyncio/httpx client in this process, which is itself
slow in Python and shares the CPU with the server, so its numbers are lower bounds. Any answer
other than 200 fails the run. Usage::

    python benchmarks/bench_web.py               # wrk if installed, 5 s per measurement
    python benchmarks/bench_web.py --quick       # 1 s per measurement (a smoke test)
    python benchmarks/bench_web.py --tool httpx  # without wrk
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PLAN = "/api/v1/plan"
HEALTH = "/api/v1/health"
CLIENTS = (1, 8)


def random_profiles(n: int, seed: int = 8) -> list[str]:
    """``n`` different valid profiles as JSON bodies, every field of the profile drawn at random."""
    from scarwise.knowledge.vocabulary import TREATMENT_IDS
    from scarwise.planner import plan

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
        prefers = profile["prefers"]
        profile["avoids"] = [t for t in profile["avoids"] if t not in prefers]  # never both
        body = json.dumps(profile)
        plan(profile)  # a body the API would refuse is a bug here, not load
        if body not in seen:
            seen.add(body)
            bodies.append(body)
    return bodies


def machine_line() -> str:
    """Cores, memory, CPU, Python and date, for BENCHMARKS.md."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "? GiB"
    return (
        f"machine: {os.cpu_count()} cores, {memory}, {cpu}, {platform.machine()}, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving() -> Iterator[str]:
    """``scarwise serve`` on a free loopback port with a temporary SQLite store; its base URL."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="scarwise-bench-web-") as tmp:
        env = {**os.environ, "SCARWISE_DATA_DIR": str(Path(tmp) / "data")}
        env.pop("SCARWISE_DATABASE_URL", None)
        command = [sys.executable, "-m", "scarwise", "serve", "--port", str(port)]
        command += ["--db", f"sqlite:///{tmp}/bench.db"]
        proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"scarwise serve exited with {proc.returncode}")
        try:
            if httpx.get(base + HEALTH, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("scarwise serve did not answer within 60 s")


# --- wrk ----------------------------------------------------------------------------------------

_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _wrk_script(bodies: list[str] | None) -> str:
    if bodies is None:
        return _WRK_DONE
    table = ",\n".join(json.dumps(b) for b in bodies)
    return (
        f"local bodies = {{{table}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])\n'
        "end\n" + _WRK_DONE
    )


def run_wrk(url: str, bodies: list[str] | None, clients: int, seconds: float) -> dict[str, float]:
    """One ``wrk --latency`` run: requests/s, p50 and p95 in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(_wrk_script(bodies))
    try:
        args = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", lua.name, url]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(lua.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50_us, p95_us, errors = (int(v) for v in line.split()[1:])
    if errors or "Non-2xx" in out:
        raise RuntimeError(f"{url}: answers other than 200 or socket errors\n{out}")
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50_us / 1000,
        "p95": p95_us / 1000,
    }


# --- asyncio/httpx ----------------------------------------------------------------------------


async def _httpx_load(
    url: str, bodies: list[str] | None, clients: int, seconds: float
) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(i: int) -> None:
            start = time.perf_counter()
            if bodies is None:
                response = await client.get(url)
            else:
                body = bodies[i % len(bodies)]
                headers = {"content-type": "application/json"}
                response = await client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
            latencies.append(time.perf_counter() - start)

        async def worker(offset: int, stop: float) -> None:
            i = offset
            while time.perf_counter() < stop:
                await one(i)
                i += clients

        began = time.perf_counter()
        await asyncio.gather(*(worker(k, began + seconds) for k in range(clients)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p95": cuts[94] * 1000}


def run_httpx(url: str, bodies: list[str] | None, clients: int, seconds: float) -> dict[str, float]:
    """One run of the asyncio/httpx client: requests/s, p50 and p95 in ms."""
    return asyncio.run(_httpx_load(url, bodies, clients, seconds))


# --- main -------------------------------------------------------------------------------------


def _http_stack() -> str:
    """What uvicorn's ``auto`` settings pick here: httptools and uvloop when installed."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn http={http} loop={loop}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--quick", action="store_true", help="1 s per measurement")
    args = parser.parse_args()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    seconds = 1.0 if args.quick else args.seconds
    if tool == "wrk":
        seconds = max(1, round(seconds))  # wrk takes whole seconds
    load = run_wrk if tool == "wrk" else run_httpx
    bodies = random_profiles(500 if args.quick else 5000)
    cases: list[tuple[str, str, list[str] | None]] = [
        (f"POST {PLAN}", PLAN, bodies),
        (f"GET {HEALTH}", HEALTH, None),
    ]
    results: list[tuple[str, int, dict[str, Any]]] = []
    with serving() as base:
        for label, path, payload in cases:
            for clients in CLIENTS:
                load(base + path, payload, clients, 1)  # warm-up (not counted)
                results.append((label, clients, load(base + path, payload, clients, seconds)))
    print(machine_line())
    print(
        f"tool={tool} seconds={seconds} per measurement, {len(bodies)} random profiles in turn "
        f"({_http_stack()}; server: scarwise serve, SQLite store)"
    )
    print(f"{'endpoint':24} {'clients':>7} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8}")
    for label, clients, r in results:
        print(f"{label:24} {clients:7d} {r['rps']:11.0f} {r['p50']:8.2f} {r['p95']:8.2f}")


if __name__ == "__main__":
    main()
