"""Web hardening: security headers, request ids, body-size limits and CSRF tokens.

Everything here is plain ASGI middleware or a small pure function, so it costs little per request
and can be read in one sitting. FastAPI ships none of it (``research/ecosystem-style.md`` §2.3,
§3.4), which is why it is written by hand:

- :class:`SecurityHeadersMiddleware` adds a strict Content-Security-Policy (``default-src
  'self'``, no inline scripts or styles, ``frame-ancestors 'none'``), ``nosniff``,
  ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` on everything that is not a
  static asset, and a request id on every response (``X-Request-ID``).
- :class:`BodyLimitMiddleware` refuses bodies over a per-path byte limit: up front from
  ``Content-Length`` and again while streaming, so an unbounded body is never read.
- CSRF: the double-submit pattern with a random token in a ``SameSite=Strict``, ``HttpOnly``
  cookie; every state-changing page request must echo it in the form field ``csrf_token`` or the
  ``X-CSRF-Token`` header (:func:`csrf_matches`). The JSON API changes no state and keeps no
  cookies, so it needs no token.
- The Host allowlist (:class:`HostAllowlistMiddleware`, answering with the contract's error
  object); :func:`allowed_hosts_for` builds the list from the address the server binds.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scarwise.errors import Problem, UploadTooLarge, UsageError, to_payload

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "BodyLimitMiddleware",
    "BodyTooLarge",
    "CsrfCookieMiddleware",
    "HostAllowlistMiddleware",
    "SecurityHeadersMiddleware",
    "allowed_hosts_for",
    "body_limit_for",
    "content_length",
    "csrf_matches",
    "host_allowed",
    "host_allowlist",
    "host_header",
    "is_loopback",
    "new_csrf_token",
    "new_request_id",
    "secured_headers",
]

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_COOKIE: Final = "scarwise_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"

_STATIC_HEADERS: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{32,64}")
_LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost", "::1", "[::1]")


def new_csrf_token() -> str:
    """A fresh random CSRF token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def csrf_matches(cookie_token: str | None, submitted: str | None) -> bool:
    """Whether a submitted token equals the cookie's, compared in constant time."""
    if not cookie_token or not submitted:
        return False
    return hmac.compare_digest(cookie_token.encode(), submitted.encode())


def new_request_id() -> str:
    """A request id: 16 hex digits (as ``uuid4().hex[:16]`` gave, 5x cheaper)."""
    return os.urandom(8).hex()


def secured_headers(
    headers: Iterable[tuple[bytes, bytes]], request_id: str, *, cacheable: bool = False
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the security headers and the request id added.

    The one place they are made: :class:`SecurityHeadersMiddleware` and the plan route's direct
    path (``scarwise.web.plan_direct``) both call it. A response's own ``X-Frame-Options`` and
    ``Cache-Control`` give way to the strict ones unless it is ``cacheable`` (static assets).
    """
    out = [
        (k, v)
        for k, v in headers
        if k.lower() not in {b"x-frame-options", b"cache-control"} or cacheable
    ]
    out.extend(_STATIC_HEADERS)
    out.append((b"x-request-id", request_id.encode()))
    if not cacheable:
        out.append((b"cache-control", b"no-store"))
    return out


def host_header(scope: Scope) -> str:
    """The request's ``Host`` header ("" when absent; the last one when repeated)."""
    host = b""
    for key, value in scope.get("headers") or ():
        if key == b"host":
            host = value
    return bytes(host).decode("latin-1")


def host_allowlist(hosts: Iterable[str]) -> frozenset[str]:
    """The allowed host names as :func:`host_allowed` compares them (lower case)."""
    return frozenset(h.lower() for h in hosts)


def host_allowed(allowed: frozenset[str], header: str) -> bool:
    """Whether a ``Host`` header names one of ``allowed`` (:func:`host_allowlist`; any port)."""
    host = header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1 : host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in allowed


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(bind_host: str, extra: Iterable[str] = ()) -> list[str]:
    """The ``Host`` header values the app answers: loopback names, the bound host, ``extra``.

    Binding to every interface (``0.0.0.0`` or ``::``) does not allow every Host: name the
    machine's address with ``extra`` (``SCARWISE_ALLOWED_HOSTS``) to reach it from elsewhere.
    """
    hosts = list(_LOOPBACK_NAMES)
    if bind_host not in {"0.0.0.0", "::", ""}:  # noqa: S104 - compared, not bound
        hosts.append(bind_host)
    hosts.extend(extra)
    return list(dict.fromkeys(hosts))


class HostAllowlistMiddleware:
    """Answer only requests whose ``Host`` is in the allowlist (DNS-rebinding defence).

    Starlette's ``TrustedHostMiddleware`` does the same check but answers in plain text; this one
    answers with the contract's error object (400, ``usage``) like every other error.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = host_allowlist(allowed_hosts)

    def allows(self, host_header: str) -> bool:
        return host_allowed(self.allowed, host_header)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        host = host_header(scope)
        if self.allows(host):
            await self.app(scope, receive, send)
            return
        error = UsageError(
            "Host header: this server answers only its allowed host names",
            problems=[Problem("Host", "one of " + ", ".join(sorted(self.allowed)), host)],
            hint="set SCARWISE_ALLOWED_HOSTS or use 'scarwise serve --allow-host NAME'",
        )
        body = json.dumps(to_payload(error, request_id=scope.get("state", {}).get("request_id")))
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body.encode())).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


class BodyTooLarge(HTTPException):
    """The request body passed its byte limit (FastAPI re-raises HTTP exceptions unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail="upload too large")
        self.limit = limit


def too_large_error(limit: int) -> UploadTooLarge:
    """The :class:`UploadTooLarge` error for a body over ``limit`` bytes."""
    return UploadTooLarge(
        f"request body: expected at most {limit} bytes, got more",
        hint="send a smaller file (or raise SCARWISE_MAX_UPLOAD_BYTES)",
    )


def body_limit_for(path: str, default_limit: int, limits: Mapping[str, int]) -> int:
    """The byte limit for ``path``: the longest matching prefix's in ``limits``, else the default."""
    best = -1
    found = default_limit
    for prefix, limit in limits.items():
        if len(prefix) > best and path.startswith(prefix):
            best, found = len(prefix), limit
    return found


class BodyLimitMiddleware:
    """Refuse request bodies over a byte limit chosen by path prefix.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    default_limit
        Bytes allowed for any path not in ``limits``.
    limits
        Path prefix -> bytes allowed (the longest matching prefix wins).
    """

    def __init__(self, app: ASGIApp, *, default_limit: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits)

    def limit_for(self, path: str) -> int:
        return body_limit_for(path, self.default_limit, self.limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await _send_too_large(scope, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _send_too_large(scope, send, limit)


class SecurityHeadersMiddleware:
    """Add the security headers and a request id to every HTTP response.

    The request id is put in ``scope["state"]["request_id"]`` (``request.state.request_id``) so
    error handlers can report it.
    """

    def __init__(self, app: ASGIApp, *, static_prefix: str = "/static/") -> None:
        self.app = app
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        cacheable = scope["path"].startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = secured_headers(
                    message.get("headers", []), request_id, cacheable=cacheable
                )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfCookieMiddleware:
    """Give every page visitor a CSRF token: the cookie's, or a new one set on the response.

    The token is put in ``scope["state"]["csrf_token"]`` for the templates; the check itself is
    :func:`csrf_matches`, run by the page routes that change state. API and static paths are
    left alone (no cookies there).
    """

    def __init__(
        self, app: ASGIApp, *, skip_prefixes: tuple[str, ...] = ("/api/", "/static/")
    ) -> None:
        self.app = app
        self.skip_prefixes = skip_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefixes):
            await self.app(scope, receive, send)
            return
        token = _cookie(scope, CSRF_COOKIE)
        fresh = token is None or not _TOKEN_RE.fullmatch(token)
        if fresh:
            token = new_csrf_token()
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["csrf_token"] = token

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            text: str = bytes(value).decode("latin-1")
            for part in text.split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def content_length(scope: Scope) -> int | None:
    """The request's declared ``Content-Length`` (None when absent or not a number)."""
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = json.dumps(to_payload(too_large_error(limit), request_id=request_id)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
