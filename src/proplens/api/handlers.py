"""Exception handlers and ASGI middleware: body size limit, security headers, request ids.

Every error leaves the API as ``{"error": {"code", "message"}}``; unexpected ones get a 500 with a
request id and their traceback goes to the log only.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ProplensError
from .errors import ApiError

__all__ = [
    "install_handlers",
    "BodyLimitMiddleware",
    "SecurityHeadersMiddleware",
    "error_response",
    "proplens_error_response",
]

log = logging.getLogger("proplens.api")

WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' "
    "'unsafe-inline' "
    "https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'; "
    "frame-ancestors 'none'"
)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if request_id:
        body["request_id"] = request_id
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def proplens_error_response(exc: ProplensError, request: Request | None = None) -> JSONResponse:
    """A coded error as its class says: ``exc.http_status`` and ``exc.api_code`` (server faults are
    logged)."""
    if exc.http_status >= 500:
        rid = uuid.uuid4().hex[:12]
        where = f" on {request.method} {request.url.path}" if request is not None else ""
        log.error("Server fault (request %s)%s: %s", rid, where, exc)
        return error_response(exc.http_status, exc.api_code, str(exc), request_id=rid)
    return error_response(exc.http_status, exc.api_code, str(exc))


def _loc(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _validation_message(exc: RequestValidationError) -> str:
    errs = exc.errors()
    msgs = []
    for e in errs[:5]:
        typ = e.get("type", "")
        if typ == "json_invalid":
            ctx = e.get("ctx") or {}
            return (
                f"The request body is not valid JSON ({ctx.get('error', 'parse error')}). "
                'Send a JSON object such as {"text": "..."}.'
            )
        if typ == "model_attributes_type" or (typ == "dict_type" and tuple(e.get("loc", ())) == ("body",)):
            return 'The request body must be a JSON object such as {"text": "..."}.'
        if typ == "missing" and tuple(e.get("loc", ())) == ("body",):
            return "The request body is empty. Send a JSON object with one of 'text', 'html' or 'url'."
        msg = str(e.get("msg", "invalid value"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        msgs.append(f"{_loc(e.get('loc', ()))}: {msg}")
    more = f" (and {len(errs) - 5} more)" if len(errs) > 5 else ""
    return "Invalid request: " + "; ".join(msgs) + more + "."


def install_handlers(app: FastAPI) -> None:
    """Map every exception to the API's error format."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(
            exc.status, exc.code, exc.message, headers=exc.headers, request_id=exc.request_id
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        msg = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 400 and msg == "There was an error parsing the body":
            return error_response(
                422,
                "invalid_request",
                "The request body cannot be read: send UTF-8 JSON (or multipart form data for /upload).",
            )
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"There is nothing at {request.url.path}."
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, f"http_{exc.status_code}"),
            msg,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(ProplensError)
    async def _proplens(request: Request, exc: ProplensError):
        return proplens_error_response(exc, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        rid = uuid.uuid4().hex[:12]
        log.error(
            "Unhandled error (request %s) on %s %s", rid, request.method, request.url.path, exc_info=exc
        )
        return error_response(
            500,
            "internal_error",
            f"An unexpected error happened on the server. Quote request id {rid} when reporting it.",
            request_id=rid,
        )


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> JSONResponse:
        return error_response(
            413,
            "body_too_large",
            f"The request body is larger than the {self.max_bytes:,}-byte limit. Send a shorter article "
            "(or raise PROPLENS_MAX_BODY_BYTES on the server).",
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    if int(v) > self.max_bytes:
                        return await self._too_large()(scope, receive, send)
                except ValueError:
                    return await error_response(400, "bad_request", "Invalid Content-Length header.")(
                        scope, receive, send
                    )
        seen = 0
        over = False
        started = False

        async def limited_receive():
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _BodyTooLarge()
            return msg

        async def tracking_send(msg):
            nonlocal started
            if over:  # the app turned our exception into its own error; answer 413 instead
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            pass
        if over and not started:
            await self._too_large()(scope, receive, send)


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy and friends (unless the response set its own CSP)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(("/docs", "/redoc")) else WEB_CSP  # /docs-static too

        async def send_with_headers(msg):
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": csp.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                for k, v in extra.items():
                    if k not in names:
                        headers.append((k, v))
                msg = dict(msg, headers=headers)
            await send(msg)

        await self.app(scope, receive, send_with_headers)
