"""ASGI middleware of the review app: a request body limit, no NUL character in the address,
security headers and the server's own time on every response."""

from __future__ import annotations

import time


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>, cpu;dur=<ms>` on every response: the time the app took to answer
    (wall clock, then this thread's CPU), so a browser-driven benchmark can tell the server's share
    from the browser's and the network's."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wall, cpu = time.perf_counter(), time.thread_time()

        async def timed(message):
            if message["type"] == "http.response.start":
                value = f"app;dur={(time.perf_counter() - wall) * 1000:.1f}, cpu;dur={(time.thread_time() - cpu) * 1000:.1f}"
                message["headers"] = list(message.get("headers", [])) + [(b"server-timing", value.encode("ascii"))]
            await send(message)

        await self.app(scope, receive, timed)


class NoNulInUrlMiddleware:
    """Refuse an address whose path or query holds a NUL character (raw or %00) with 400: every value
    of it may reach a database query, and PostgreSQL refuses NUL in text (a 500 otherwise)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or b"") + b"?" + (scope.get("query_string") or b"")
            if "\x00" in scope.get("path", "") or b"\x00" in raw or b"%00" in raw:
                body = b"A NUL character (%00) is not allowed in the address."
                await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse request bodies over `max_body` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app, max_body: int, overrides: dict[str, int] | None = None):
        self.app = app
        self.max_body = max_body
        self.overrides = overrides or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.overrides.get(scope.get("path", ""), self.max_body)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(send, limit)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        buffered = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": buffered, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send, limit: int):
        body = f"Request body too large (limit {limit // 1024} KiB): nothing was saved.".encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    HEADERS = [
        (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    ]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in self.HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)
