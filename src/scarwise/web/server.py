"""Run a web app under uvicorn the way ``scarwise serve`` does (the benchmark uses the same).

Besides uvicorn's options, one process-wide setting: the cyclic garbage collector. Making a plan
allocates thousands of short-lived containers (pydantic models, lists, dicts), and while the
planner's memos fill, CPython's default thresholds (700, 10, 10) made the collector walk them
again and again. Measured 2026-11-25 on the 2-core VM (``python benchmarks/bench_web.py --gc``,
process CPU time of ``plan_json``): the first 10,000 random profiles after start-up took 171 us
per plan with the defaults, 132 us with :data:`GC_THRESHOLDS` and 127 us with the collector off;
once the memos are warm the three are equal (106-107 us). Nothing in a request makes reference
cycles that matter, so collecting less often only delays freeing a few megabytes.
:func:`gc.freeze` then moves everything alive after start-up (modules, the loaded knowledge base
and its index, templates) out of the collector's sight, as the Python documentation suggests for
long-running servers.
"""

from __future__ import annotations

import gc
from typing import Any

__all__ = ["GC_THRESHOLDS", "run", "tune_garbage_collector"]

#: Allocations before a generation-0 collection, then collections of the younger generation
#: before one of the next.
GC_THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collector() -> None:
    """Collect less often and freeze what is alive now (call once, after the app is built)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run(
    app: Any, *, host: str, port: int, debug: bool = False, log_level: str | None = None
) -> None:
    """Serve ``app`` on ``host:port`` until interrupted (blocks).

    ``log_level`` defaults to ``info`` (``debug`` with ``debug=True``); access lines are logged
    only with ``debug=True``.
    """
    import uvicorn

    from scarwise.knowledge.loader import load_knowledge_base

    load_knowledge_base()  # load once now: the first visitor does not wait
    tune_garbage_collector()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level or ("debug" if debug else "info"),
        server_header=False,
        proxy_headers=False,
        access_log=debug,
        ws="none",  # no WebSocket routes: do not load a WebSocket implementation
    )
