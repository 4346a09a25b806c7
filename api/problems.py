"""RFC 9457 problem details: every error leaves the API as application/problem+json."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from beleidsgraaf.errors import BeleidsgraafError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://w3id.org/beleidsgraaf/problem/"
log = logging.getLogger("beleidsgraaf.api")


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status", "detail"], "additionalProperties": True,
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}},
}
# Declared on every operation, so the OpenAPI schema tells clients (and schemathesis) what errors look like.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": HTTPStatus(status).phrase, "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for status in (400, 403, 404, 406, 409, 413, 415, 422, 501, 503)
}


class Problem(Exception):
    """Raised by endpoints for a specific status; ``kind`` becomes the problem type IRI."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, title: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title
        self.headers = headers  # e.g. Retry-After on 503, Allow on 405
        self.extra = extra


def response(status: int, detail: str, *, kind: str | None = None, title: str | None = None,
             instance: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return response(exc.status, exc.detail, kind=exc.kind, title=exc.title, instance=request.url.path,
                        headers=exc.headers, **exc.extra)

    @app.exception_handler(BeleidsgraafError)
    async def _domain(request: Request, exc: BeleidsgraafError) -> JSONResponse:
        return response(exc.status, exc.message, kind=type(exc).__name__, instance=request.url.path, hint=exc.hint,
                        suggestions=getattr(exc, "suggestions", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                  for e in exc.errors()]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "invalid request"
        missing = [e for e in exc.errors() if e.get("type") == "missing"]
        if missing and len(missing) == len(errors):
            # A required parameter left out is a bad request, not bad content: 400, naming the parameter.
            names = ", ".join(f"'{e['loc'][-1]}'" for e in missing)
            return response(400, f"missing parameter {names}", kind="missing-parameter", instance=request.url.path,
                            errors=errors)
        return response(422, detail, kind="invalid-request", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such path: {request.url.path}"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # RFC 9110 wants Allow on a 405. Starlette names only the first route on the path, while GET and
            # POST /sparql are two routes: list the methods of every route the path matches.
            allowed: set[str] = set()
            for route in request.app.router.routes:
                match, _ = route.matches(request.scope)
                if match == Match.PARTIAL:
                    allowed |= set(getattr(route, "methods", None) or ())
            if allowed:
                headers["Allow"] = ", ".join(sorted(allowed))
        return response(exc.status_code, detail, instance=request.url.path, headers=headers or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a user error: log it with the traceback, tell the client without internals.
        log.exception("unhandled error on %s", request.url.path)
        return response(500, "internal error; the server log has the details", instance=request.url.path)
