"""ASGI middlewares: a bound on request bodies, the security headers, and CORS for the SPARQL endpoint.

Pure ASGI (no BaseHTTPMiddleware): the body limit must see the body as it streams in, before any
endpoint has buffered it, and must be able to answer without reading the rest.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beleidsgraaf.api import problems

# No inline script, no inline style, nothing from elsewhere: data shown on a page can at most be text.
# (The SPARQL page's examples ride in a <script type="application/json"> block, which is data, not code.)
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413 problem JSON: by its Content-Length before
    reading a byte, and, for a chunked body, as soon as the bytes read pass the limit. A body within the
    limit is read here and handed on whole, so no endpoint can read more than ``limit``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # every method: a body nobody reads is still bytes the server takes in
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await self._refuse(scope, receive, send, 400, "the Content-Length header is not a number")
                return
            if int(declared) > self.limit:
                await self._refuse(scope, receive, send, 413, self._too_large(int(declared)))
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send, 413, self._too_large(None))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)

    def _too_large(self, declared: int | None) -> str:
        said = f" (Content-Length {declared:,})" if declared is not None else ""
        return f"the request body is too large{said}; the limit is {self.limit:,} bytes"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        kind = "body-too-large" if status == 413 else "bad-request"
        # Connection: close, so the server does not try to read the rest of the body as a next request.
        response = problems.response(status, detail, kind=kind, instance=scope.get("path"), headers={"Connection": "close"})
        await response(scope, receive, send)


class SecurityHeaders:
    """X-Content-Type-Options: nosniff on every response; a Content-Security-Policy on every HTML
    response that did not bring its own (the API docs bring one that allows their CDN)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if headers.get("content-type", "").startswith("text/html") and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = PAGE_CSP
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, with_headers)


class PublicCors:
    """CORS for read-only paths (the SPARQL endpoint): any origin may query it from a browser, as from any
    other client. No credentials are involved (the endpoint has no cookies or auth), so ``*`` is safe and
    enough. A preflight is answered here, before routing and body checks; every other response on these
    paths, errors included, carries Access-Control-Allow-Origin."""

    METHODS = "GET, POST, OPTIONS"

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], max_age: int = 86400) -> None:
        self.app = app
        self.paths = paths
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers:
            allow = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": self.METHODS,
                     "Access-Control-Max-Age": str(self.max_age), "Allow": self.METHODS}
            # Any request header may come along (Accept, Content-Type: application/sparql-query, a client's
            # own): the endpoint reads none that could change what a caller is allowed to do.
            if headers.get("access-control-request-headers"):
                allow["Access-Control-Allow-Headers"] = headers["access-control-request-headers"]
            await Response(status_code=204, headers=allow)(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = "*"
                response_headers["Access-Control-Expose-Headers"] = "Server-Timing"
            await send(message)

        await self.app(scope, receive, with_cors)
