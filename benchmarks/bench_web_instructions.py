"""Instructions per ``POST /api/v1/plan`` request, against the bare endpoint, under cachegrind.

Wall-clock throughput on a shared 2-core VM moves ~10 % from run to run; valgrind's cachegrind
counts instructions (and simulated L1-data misses), which repeat. Three targets, each run twice
under ``valgrind --tool=cachegrind`` (after ``WARM`` requests, and after ``WARM + COUNT``) so
that start-up and warm-up cancel in the difference:

* ``bare``: a FastAPI app whose endpoint returns ``{"ok": true}`` (as ``bench_web.py``'s);
* ``scarwise``: the scarwise app (all middleware), plan cache off, a new profile every request;
* ``plan_json``: the planner and its JSON alone, in a loop (no server).

Servers run through ``scarwise.web.server.run`` and get one request at a time from a plain socket
client in this process. Profiles: ``bench_web._distinct_bodies`` (every field random). Usage::

    python benchmarks/bench_web_instructions.py            # about 5 minutes on 2 cores

Issue 8's goal, in these terms: scarwise's count at most twice the bare one.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import _distinct_bodies, _free_port

WARM, COUNT = 2000, 1000

_TARGET = """
import os, sys
kind, port, stop, data_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
seen = [0]
def count() -> None:
    seen[0] += 1
    if seen[0] > stop:  # request stop + 1 ends the process before it is answered
        os._exit(0)
if kind == "plan_json":
    import pickle
    from scarwise.web import api
    from scarwise.web.server import tune_garbage_collector
    bodies = pickle.load(open(data_dir + "/bodies.pkl", "rb"))
    tune_garbage_collector()
    for body in bodies[:stop]:
        api.plan_json.__wrapped__(body)
    os._exit(0)
from scarwise.web.server import run
if kind == "bare":
    from fastapi import FastAPI
    app = FastAPI()
    @app.post("/api/v1/plan")
    async def bare() -> dict[str, bool]:
        count()
        return {"ok": True}
else:
    from scarwise.config import Settings
    from scarwise.web import api, create_app
    plan_json = api.plan_json.__wrapped__
    def counted(body: bytes) -> bytes:
        count()
        return plan_json(body)
    api.plan_json = counted
    app = create_app(Settings(data_dir=data_dir))
run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def _send_all(port: int, bodies: list[bytes]) -> None:
    """One connection, one request at a time; the last (stop + 1) request ends the server."""
    deadline = time.monotonic() + 120
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    reader = conn.makefile("rb")
    head = f"POST /api/v1/plan HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    for body in bodies:
        conn.sendall(
            f"{head}Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        if not reader.readline():  # the server has gone (the final request)
            return
        size = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                size = int(line.split(b":")[1])
        reader.read(size)


def _run(kind: str, stop: int, bodies: list[bytes], data_dir: str) -> tuple[int, int]:
    """(instructions, L1-data misses) of one whole run of ``kind`` that handles ``stop`` plans."""
    out = Path(data_dir) / f"cg.{kind}.{stop}"
    port = _free_port()
    proc = subprocess.Popen(
        [
            *("valgrind", "--tool=cachegrind", "--cache-sim=yes", f"--cachegrind-out-file={out}"),
            *(sys.executable, "-c", _TARGET, kind, str(port), str(stop), data_dir),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    if kind != "plan_json":
        _send_all(port, bodies[: stop + 1])
    _, err = proc.communicate(timeout=1800)
    refs = re.search(r"I\s+refs:\s+([\d,]+)", err)
    misses = re.search(r"D1\s+misses:\s+([\d,]+)", err)
    assert refs and misses, err[-2000:]
    return int(refs.group(1).replace(",", "")), int(misses.group(1).replace(",", ""))


def main() -> None:
    if not shutil.which("valgrind"):
        print("skipped: valgrind is needed (Debian: apt-get install valgrind)")
        return
    import pickle

    bodies = [b.encode() for b in _distinct_bodies(WARM + COUNT + 1, seed=11)]
    with tempfile.TemporaryDirectory() as data_dir:
        (Path(data_dir) / "bodies.pkl").write_bytes(pickle.dumps(bodies))
        jobs = [
            (kind, stop)
            for kind in ("bare", "scarwise", "plan_json")
            for stop in (WARM, WARM + COUNT)
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(
                zip(
                    jobs,
                    pool.map(lambda job: _run(job[0], job[1], bodies, data_dir), jobs),
                    strict=True,
                )
            )
    per = {}
    for kind in ("bare", "scarwise", "plan_json"):
        (i0, m0), (i1, m1) = results[(kind, WARM)], results[(kind, WARM + COUNT)]
        per[kind] = ((i1 - i0) / COUNT, (m1 - m0) / COUNT)
    print(f"cachegrind, per request over {COUNT} requests after {WARM} of warm-up:")
    for kind, (instr, miss) in per.items():
        print(f"{kind:10}: {instr / 1e6:6.2f} M instructions, {miss / 1e3:5.1f} k L1-data misses")
    print(
        f"bare / scarwise = {per['bare'][0] / per['scarwise'][0]:.1%} "
        "(the throughput ratio if every instruction cost the same; goal >= 50 %)"
    )


if __name__ == "__main__":
    main()
