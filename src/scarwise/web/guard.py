"""The guard: the one ASGI layer around the app that every request passes first.

:class:`Guard` does, in this order, for every HTTP request:

1. gives it a request id (``request.state.request_id``, the ``X-Request-ID`` header);
2. answers only an allowed ``Host`` (DNS-rebinding defence), else 400 with the contract's error
   object; :func:`allowed_hosts_for` builds the list from the address the server binds;
3. refuses a state-changing request (any method but GET, HEAD and OPTIONS, on the pages and the
   JSON API alike) that a browser says comes from another site or origin
   (:func:`cross_origin_reason`): a ``Sec-Fetch-Site`` other than ``same-origin`` or ``none``,
   or an ``Origin`` that is not this server's own. Another port of ``127.0.0.1`` is another
   origin but the *same site*, so ``SameSite=Strict`` cookies alone do not stop it: this check
   does (403 with the contract's error object). Clients that send neither header (curl, scripts)
   are not browsers and cannot be driven by a web page;
4. gives every page visitor a CSRF token: the ``SameSite=Strict``, ``HttpOnly`` cookie's if it
   carries this server's signature, or a new one set on the response
   (``request.state.csrf_token`` for the templates). A token is a random nonce and its
   HMAC-SHA256 under the server's secret (:func:`new_csrf_token`; the secret is a 0600 file in
   the data directory, ``WebContext.csrf_secret``), so a cookie planted from another port of
   the same host is not accepted. The check is the double-submit pattern: :func:`require_csrf`,
   a dependency of the page routers, compares the form field ``csrf_token`` or the
   ``X-CSRF-Token`` header with the signed cookie (:func:`csrf_matches`). The JSON API keeps no
   cookies, so it needs none (step 3 guards it);
5. refuses a body over its path's byte limit (:func:`upload_limits`): up front from
   ``Content-Length`` and again while streaming, so an unbounded body is never read (413 with
   the contract's error object under ``/api/``, the error page in words elsewhere);
6. adds the security headers to every response (:func:`secured_headers`): a strict
   Content-Security-Policy (``default-src 'self'``, no inline scripts or styles,
   ``frame-ancestors 'none'``), ``nosniff``, ``Referrer-Policy: no-referrer``, and
   ``Cache-Control: no-store`` on everything that is not a static asset;
7. answers an exception that escaped the app with the page or object its ``render_error``
   gives (``scarwise.web.errors.error_response``), so even that answer carries the headers.

It is plain ASGI (no ``BaseHTTPMiddleware``) and written by hand because neither FastAPI nor
Starlette answers these with the contract's error object.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import math
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
    "cross_origin_reason",
    "csrf_matches",
    "csrf_signature_valid",
    "host_allowed",
    "host_allowlist",
    "host_header",
    "is_loopback",
    "json_safe",
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
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}")
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_SAME_ORIGIN_FETCH: Final = frozenset({"same-origin", "none"})
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


def _signature(secret: bytes, nonce: str) -> str:
    digest = hmac.new(secret, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_csrf_token(secret: bytes) -> str:
    """A fresh CSRF token: a random nonce (256 bits) and its HMAC-SHA256 under ``secret``."""
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_signature(secret, nonce)}"


def csrf_signature_valid(token: str | None, secret: bytes) -> bool:
    """Whether ``token`` is a nonce signed with ``secret`` (compared in constant time)."""
    if not token or not _TOKEN_RE.fullmatch(token):
        return False
    nonce, _, signature = token.partition(".")
    return hmac.compare_digest(signature.encode(), _signature(secret, nonce).encode())


def csrf_matches(cookie_token: str | None, submitted: str | None) -> bool:
    """Whether a submitted token equals the cookie's, compared in constant time."""
    if not cookie_token or not submitted:
        return False
    return hmac.compare_digest(cookie_token.encode(), submitted.encode())


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token does not match the cookie's (403).

    A dependency of every page router; the token comes from the ``X-CSRF-Token`` header or the
    form field ``csrf_token``, and must equal the visitor's cookie, which the guard accepted
    only with this server's signature (a planted cookie was replaced, so nothing matches it).
    """
    if request.method in _SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    signed = getattr(request.state, "csrf_from_cookie", False)
    if not signed or not csrf_matches(getattr(request.state, "csrf_token", None), submitted):
        raise Forbidden(
            "this form has expired or did not come from scarwise (CSRF check failed)",
            hint="reload the page and try again",
        )


def cross_origin_reason(scope: Scope) -> str | None:
    """Why a browser request comes from another site or origin, or None if it does not.

    ``Sec-Fetch-Site`` must be ``same-origin`` (or ``none``: typed by the user) and ``Origin``,
    when sent, must name this server: the same host and port as the ``Host`` header (the scheme
    is not compared, so a TLS proxy in front changes nothing). ``Origin: null`` says nothing:
    browsers send it for scarwise's own forms, whose pages ask for ``Referrer-Policy:
    no-referrer``; ``Sec-Fetch-Site`` decides then.
    """
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in _SAME_ORIGIN_FETCH:
        return f"Sec-Fetch-Site: {fetch_site.strip()[:40]}"
    origin = _header(scope, b"origin")
    if origin is None or origin.strip().lower() == "null":
        return None
    _, sep, netloc = origin.strip().lower().partition("://")
    if not sep or netloc.rstrip("/") != host_header(scope).strip().lower():
        return f"Origin: {origin.strip()[:80]}"
    return None


def _cross_origin_error(reason: str) -> Forbidden:
    return Forbidden(
        "this request came from another web site or another port of this computer; scarwise "
        "only accepts changes from its own pages",
        problems=[Problem("origin", "a request from scarwise's own pages", reason)],
        hint="open scarwise's own page (the address 'scarwise serve' printed) and try there",
    )


def _header(scope: Scope, name: bytes) -> str | None:
    found: str | None = None
    for key, value in scope.get("headers") or ():
        if key == name:
            found = bytes(value).decode("latin-1")
    return found


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinite floats written as text (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _cookies(scope: Scope, name: str) -> list[str]:
    """Every value of the cookie ``name`` (a browser sends several when another page set one
    with a narrower path or another domain attribute)."""
    found = []
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            text: str = bytes(value).decode("latin-1")
            for part in text.split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    found.append(v)
    return found


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
        self._own_secret = secrets.token_bytes(32)

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
        if scope.get("method", "GET") not in _SAFE_METHODS:
            reason = cross_origin_reason(scope)
            if reason is not None:
                await self._refuse(scope, receive, secured, _cross_origin_error(reason))
                return
        secured.cookie = self._csrf_cookie(scope, path, state)
        limit = body_limit_for(path, self.default_limit, self.limits)
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, secured, limit, request_id)
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
            await self._too_large(scope, receive, secured, limit, request_id)
        except Exception as exc:  # the last resort: reported by request id, never its text
            if secured.started:
                raise
            await self._refuse(scope, receive, secured, exc)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, limit: int, request_id: str
    ) -> None:
        """413 for a body over ``limit``: the error object under ``/api/`` (and without an error
        renderer), else ``render_error``'s page; the connection closes (the body is not read)."""
        if scope["path"].startswith("/api/") or self.render_error is _json_error:
            await _send_too_large(send, limit, request_id)
            return
        request = Request(scope, receive)
        try:
            response = self.render_error(request, too_large_error(limit))
        except Exception:  # the page failed: the error object still says it
            await _send_too_large(send, limit, request_id)
            return
        response.headers["connection"] = "close"
        await response(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """Answer with ``render_error``'s page or object for ``exc``."""
        request = Request(scope, receive)
        try:
            response = self.render_error(request, exc)
        except Exception:  # rendering the error page failed too: the plainest answer
            log.error("error page failed (request %s)", getattr(request.state, "request_id", ""))
            response = _json_error(request, exc)
        await response(scope, receive, send)

    def _secret(self, scope: Scope) -> bytes:
        """The server's CSRF secret: the app context's (one per data directory), else the
        guard's own (a guard used without a scarwise app)."""
        ctx = getattr(getattr(scope.get("app"), "state", None), "ctx", None)
        secret = getattr(ctx, "csrf_secret", None)
        return secret if isinstance(secret, bytes) else self._own_secret

    def _csrf_cookie(
        self, scope: Scope, path: str, state: MutableMapping[str, Any]
    ) -> bytes | None:
        """Put the visitor's CSRF token in ``state``; the ``Set-Cookie`` value when it is new.

        ``state["csrf_from_cookie"]`` says whether the token is the request's own signed cookie
        (only then can a submitted token match it).
        """
        if path.startswith(self.cookie_free):
            return None
        secret = self._secret(scope)
        for token in _cookies(scope, CSRF_COOKIE):
            if csrf_signature_valid(token, secret):
                state["csrf_token"] = token
                state["csrf_from_cookie"] = True
                return None
        token = new_csrf_token(secret)
        state["csrf_token"] = token
        state["csrf_from_cookie"] = False
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
    payload = json_safe(to_payload(exc, request_id=request_id))
    return JSONResponse(payload, status_code=http_status_for(exc))


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
