"""Run the web app under uvicorn the way ``scarwise serve`` does (the benchmark uses the same).

Before listening, the knowledge base is loaded once (so the first visitor does not wait for it)
and the cyclic garbage collector is tuned for a long-running server: making a plan allocates
thousands of short-lived containers that hold no reference cycles worth collecting early, so
the collector runs less often, and :func:`gc.freeze` moves everything alive after start-up
(modules, the knowledge base, templates) out of its sight, as the Python documentation
suggests for long-running servers.
"""

from __future__ import annotations

import gc
from typing import Any

import uvicorn

from scarwise.knowledge import load_knowledge_base

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
    load_knowledge_base()
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
