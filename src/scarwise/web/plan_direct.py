"""``POST /api/v1/plan`` answered straight from the ASGI call when the plan succeeds.

Why this exists (issue 8: the plan route's throughput against a bare FastAPI endpoint): with the
planner memoised everywhere, what was left around it was the framework's per-request machinery
(Starlette's and FastAPI's error, telemetry and body-limit wrappers, our five middlewares, the
exception wrappers, the nested routers, the request object): about a third of a bare FastAPI
request. Skipping it for successful plans took a fresh-profile request from 2.04 M to 1.73 M
instructions (the bare one: 0.94 M) and ``benchmarks/bench_web.py --fresh`` from 43 % to 52-59 %
of the bare endpoint (``BENCHMARKS.md``, issue 8, fifth session). No library does this: a FastAPI
route always runs inside the middleware stack.

What it answers, and what it leaves to the full app:

* It answers only a ``POST`` to exactly ``/api/v1/plan`` (no ``root_path``) from an allowed
  ``Host``, with a ``Content-Length`` within the route's body limit, whose body
  :func:`scarwise.web.api.plan_json` turns into a plan.
* Everything else (a refused host, a missing or too large length, a client that goes away, an
  invalid profile, any error) goes through the full app with the messages already received
  handed over again in order, so it gets exactly the answer it always did: the same middlewares,
  route, error handlers and error objects.
* Its answer is the full app's byte for byte (``tests/web/test_web_plan_direct.py`` compares the
  two over random profiles): the body of ``plan_json``, the same ``Content-Length`` and
  ``Content-Type`` headers, and the security headers and request id from
  :func:`scarwise.web.security.secured_headers`, the one place they are made.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from scarwise.web.security import (
    content_length,
    host_allowed,
    host_header,
    new_request_id,
    secured_headers,
)

__all__ = ["PLAN_PATH", "PlanDirect"]

PLAN_PATH = "/api/v1/plan"


class PlanDirect:
    """The direct path for successful plans (see the module docstring).

    Parameters
    ----------
    allowed_hosts
        ``Host`` names the app answers (:func:`~scarwise.web.security.host_allowlist`).
    limit
        The plan route's body limit in bytes (the body-limit middleware's for this path).
    """

    def __init__(self, *, allowed_hosts: frozenset[str], limit: int) -> None:
        self.allowed_hosts = allowed_hosts
        self.limit = limit

    def takes(self, scope: Scope) -> bool:
        """Whether this request is one the direct path may try (method, path, host, length)."""
        if scope["type"] != "http" or scope["path"] != PLAN_PATH or scope["method"] != "POST":
            return False
        if scope.get("root_path"):
            return False
        if not host_allowed(self.allowed_hosts, host_header(scope)):
            return False
        declared = content_length(scope)
        return declared is not None and 0 <= declared <= self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Answer the request and return None, or return the ``receive`` the full app must use.

        Call only when :meth:`takes` is true.
        """
        from scarwise.web.api import plan_json  # here: api imports app, which imports this

        received: list[Message] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                return _replaying(received, receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return _replaying(received, receive)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        try:
            body = plan_json(chunks[0] if len(chunks) == 1 else b"".join(chunks))
        except Exception:  # every error is the full app's to answer (it plans again and fails)
            return _replaying(received, receive)
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        headers = secured_headers(
            ((b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")),
            request_id,
        )
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return None


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``received`` again, in order, then the client's next messages."""
    pending = list(received)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
