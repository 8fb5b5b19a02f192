"""The guard: the one ASGI layer around the app that every request passes first.

:class:`Guard` does, in this order, for every HTTP request:

1. gives it a request id (``request.state.request_id``, the ``X-Request-ID`` header);
2. answers only an allowed ``Host`` (DNS-rebinding defence), else 400 with the contract's error
   object; :func:`allowed_hosts_for` builds the list from the address the server binds;
3. gives every page visitor a CSRF token: the ``SameSite=Strict``, ``HttpOnly`` cookie's, or a
   new one set on the response (``request.state.csrf_token`` for the templates). The check is
   the double-submit pattern: :func:`require_csrf`, a dependency of the page routers, compares
   the form field ``csrf_token`` or the ``X-CSRF-Token`` header with the cookie
   (:func:`csrf_matches`). The JSON API changes no state and keeps no cookies, so it needs none;
4. refuses a body over its path's byte limit (:func:`upload_limits`): up front from
   ``Content-Length`` and again while streaming, so an unbounded body is never read (413 with
   the contract's error object);
5. adds the security headers to every response (:func:`secured_headers`): a strict
   Content-Security-Policy (``default-src 'self'``, no inline scripts or styles,
   ``frame-ancestors 'none'``), ``nosniff``, ``Referrer-Policy: no-referrer``, and
   ``Cache-Control: no-store`` on everything that is not a static asset;
6. answers an exception that escaped the app with the page or object its ``render_error``
   gives (``scarwise.web.errors.error_response``), so even that answer carries the headers.

It is plain ASGI (no ``BaseHTTPMiddleware``) and written by hand because neither FastAPI nor
Starlette answers these with the contract's error object.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, Final

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scarwise.errors import (
    Forbidden,
    Problem,
    UploadTooLarge,
    UsageError,
    http_status_for,
    to_payload,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "FORM_LIMIT",
    "BodyTooLarge",
    "Guard",
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
    "require_csrf",
    "secured_headers",
    "too_large_error",
    "upload_limits",
]

log = logging.getLogger("scarwise.web")

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_COOKIE: Final = "scarwise_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
#: Bytes allowed in a JSON or form body; photo routes get more (:func:`upload_limits`).
FORM_LIMIT: Final = 1024 * 1024

_MAX_3D_IMAGES: Final = 16
_MULTIPART_OVERHEAD: Final = 64 * 1024
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

#: Renders the answer to an exception that escaped the app (a page or the error object).
ErrorRenderer = Callable[[Request, BaseException], Response]


# --- request ids and headers ------------------------------------------------------------------


def new_request_id() -> str:
    """A request id: 16 random hex digits."""
    return os.urandom(8).hex()


def secured_headers(
    headers: Iterable[tuple[bytes, bytes]], request_id: str, *, cacheable: bool = False
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the security headers and the request id added.

    A response's own ``X-Frame-Options`` and ``Cache-Control`` give way to the strict ones
    unless it is ``cacheable`` (static assets).
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


# --- hosts ------------------------------------------------------------------------------------


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


def _host_error(allowed: frozenset[str], host: str) -> UsageError:
    return UsageError(
        "Host header: this server answers only its allowed host names",
        problems=[Problem("Host", "one of " + ", ".join(sorted(allowed)), host)],
        hint="set SCARWISE_ALLOWED_HOSTS or use 'scarwise serve --allow-host NAME'",
    )


# --- CSRF -------------------------------------------------------------------------------------


def new_csrf_token() -> str:
    """A fresh random CSRF token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def csrf_matches(cookie_token: str | None, submitted: str | None) -> bool:
    """Whether a submitted token equals the cookie's, compared in constant time."""
    if not cookie_token or not submitted:
        return False
    return hmac.compare_digest(cookie_token.encode(), submitted.encode())


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the cookie's (403).

    A dependency of every page router; the token comes from the ``X-CSRF-Token`` header or the
    form field ``csrf_token``.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), submitted):
        raise Forbidden(
            "this form has expired or did not come from scarwise (CSRF check failed)",
            hint="reload the page and try again",
        )


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            text: str = bytes(value).decode("latin-1")
            for part in text.split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


# --- body limits ------------------------------------------------------------------------------


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


def upload_limits(max_upload_bytes: int) -> dict[str, int]:
    """Path prefix -> bytes allowed, for the routes that take photos (one, or up to 16)."""
    one = max_upload_bytes + _MULTIPART_OVERHEAD
    return {
        "/api/v1/analyze3d": one * _MAX_3D_IMAGES,
        "/api/v1/analyze": one,
        "/analyze3d": one * _MAX_3D_IMAGES,
        "/analyze": one,
        "/people/": one,
    }


def body_limit_for(path: str, default_limit: int, limits: Mapping[str, int]) -> int:
    """The byte limit for ``path``: the longest matching prefix's in ``limits``, else the default."""
    best = -1
    found = default_limit
    for prefix, limit in limits.items():
        if len(prefix) > best and path.startswith(prefix):
            best, found = len(prefix), limit
    return found


def content_length(scope: Scope) -> int | None:
    """The request's declared ``Content-Length`` (None when absent or not a number)."""
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# --- the guard --------------------------------------------------------------------------------


class Guard:
    """Host allowlist, request ids, CSRF cookie, body limits and security headers (see above).

    Parameters
    ----------
    app
        The wrapped ASGI app.
    allowed_hosts
        ``Host`` header values to answer (:func:`allowed_hosts_for`).
    default_limit
        Bytes allowed in a body for any path not in ``limits``.
    limits
        Path prefix -> bytes allowed (the longest matching prefix wins).
    render_error
        The answer to an exception that escaped the app; default: the error object as JSON.
    static_prefix
        Paths of cacheable static assets (no ``no-store``, no cookie).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str],
        default_limit: int = FORM_LIMIT,
        limits: Mapping[str, int] | None = None,
        render_error: ErrorRenderer | None = None,
        static_prefix: str = "/static/",
    ) -> None:
        self.app = app
        self.allowed = host_allowlist(allowed_hosts)
        self.default_limit = default_limit
        self.limits = dict(limits or {})
        self.render_error = render_error or _json_error
        self.static_prefix = static_prefix
        self.cookie_free = ("/api/", static_prefix)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket" and not host_allowed(self.allowed, host_header(scope)):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        path: str = scope["path"]
        cacheable = path.startswith(self.static_prefix)
        secured = _SecuredSend(send, request_id, cacheable=cacheable)
        host = host_header(scope)
        if not host_allowed(self.allowed, host):
            error = _host_error(self.allowed, host)
            await _send_json(secured, 400, to_payload(error, request_id=request_id))
            return
        secured.cookie = self._csrf_cookie(scope, path, state)
        limit = body_limit_for(path, self.default_limit, self.limits)
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await _send_too_large(secured, limit, request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, secured)
        except BodyTooLarge:
            if secured.started:
                raise
            await _send_too_large(secured, limit, request_id)
        except Exception as exc:  # the last resort: reported by request id, never its text
            if secured.started:
                raise
            request = Request(scope, receive)
            try:
                response = self.render_error(request, exc)
            except Exception:  # rendering the error page failed too: the plainest answer
                log.error("error page failed (request %s)", request_id)
                response = _json_error(request, exc)
            await response(scope, receive, secured)

    def _csrf_cookie(
        self, scope: Scope, path: str, state: MutableMapping[str, Any]
    ) -> bytes | None:
        """Put the visitor's CSRF token in ``state``; the ``Set-Cookie`` value when it is new."""
        if path.startswith(self.cookie_free):
            return None
        token = _cookie(scope, CSRF_COOKIE)
        if token is not None and _TOKEN_RE.fullmatch(token):
            state["csrf_token"] = token
            return None
        token = new_csrf_token()
        state["csrf_token"] = token
        return f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode()


class _SecuredSend:
    """``send`` with the security headers, the request id and a new CSRF cookie added."""

    def __init__(self, send: Send, request_id: str, *, cacheable: bool) -> None:
        self.send = send
        self.request_id = request_id
        self.cacheable = cacheable
        self.cookie: bytes | None = None
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = secured_headers(
                message.get("headers", []), self.request_id, cacheable=self.cacheable
            )
            if self.cookie is not None:
                headers.append((b"set-cookie", self.cookie))
            message = {**message, "headers": headers}
        await self.send(message)


def _json_error(request: Request, exc: BaseException) -> Response:
    """The contract's error object for ``exc`` as a JSON response (500 unless a known error)."""
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse(to_payload(exc, request_id=request_id), status_code=http_status_for(exc))


async def _send_json(
    send: Send, status: int, payload: dict[str, Any], *, close: bool = False
) -> None:
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_too_large(send: Send, limit: int, request_id: str) -> None:
    """413 with the contract's error object; the connection closes (the body is not read)."""
    payload = to_payload(too_large_error(limit), request_id=request_id)
    await _send_json(send, 413, payload, close=True)
