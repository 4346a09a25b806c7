"""HTTP API: FastAPI app factory. Endpoints parse, call a use case, and render; nothing else."""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Query, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from beleidsgraaf.api import pages, problems
from beleidsgraaf.api.middleware import BodyLimit, SecurityHeaders
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.api.sparql_protocol import (
    GRAPH_MEDIA,
    MAX_BODY_BYTES,
    RESULT_MEDIA,
    Limits,
    QueryRunner,
    media_type,
    negotiate,
)
from beleidsgraaf.errors import NotFoundError
from beleidsgraaf.ontology.namespaces import ID
from beleidsgraaf.ontology.store import EmbeddedStore, open_store
from beleidsgraaf.queries import named, views

ENV_CORPUS = "BELEIDSGRAAF_CORPUS"
MAX_TEXT = 1000  # characters in a question or search text
HERE = Path(__file__).parent


@dataclass
class Context:
    """What the endpoints share: the store (reopened after a new ingest) and the query workers."""

    location: str | None
    runner: QueryRunner
    corpus_dirs: list[Path]
    _store: EmbeddedStore | None = None
    _generation: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> EmbeddedStore:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.location)
            current = self._store.current
            if current is None:
                raise Problem(503, "the store is empty; run `beleidsgraaf ingest corpus/` first", kind="store-empty")
            if current != self._generation:
                self._store.close()
                self._generation = current
            return self._store


def optional(module: str, attribute: str) -> Callable[..., Any]:
    """A function from a module that may not be built yet; 501 with a clear message when missing."""
    try:
        return getattr(importlib.import_module(f"beleidsgraaf.{module}"), attribute)
    except (ImportError, AttributeError):
        raise Problem(501, f"{module}.{attribute} is not available in this version", kind="not-implemented") from None


def text_param(value: str | None, name: str = "q") -> str:
    text = (value or "").strip()
    if not text:
        raise Problem(400, f"parameter '{name}' is empty; give a question or search text", kind="empty-input")
    if len(text) > MAX_TEXT:
        raise Problem(422, f"parameter '{name}' is {len(text)} characters; the limit is {MAX_TEXT}", kind="input-too-long")
    return text


def wants(request: Request, *media: str) -> str | None:
    """The first of ``media`` the client prefers by Accept order, else None (used for HTML vs data)."""
    accept = request.headers.get("accept", "")
    for part in accept.split(","):
        kind = part.split(";")[0].strip().lower()
        if kind in media:
            return kind
    return None


# POST /sparql reads its body itself (two media types, SPARQL Protocol rules), so OpenAPI is told here.
SPARQL_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/sparql-query": {"schema": {"type": "string", "maxLength": 100 * 1024}},
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["query"],
        "properties": {"query": {"type": "string", "description": "SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)"},
                       "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}},
}}}
SPARQL_RESULTS: dict[int | str, dict[str, Any]] = {200: {"description": "Query results (by Accept)", "content": {
    media.split(";")[0]: {} for media in [*RESULT_MEDIA.values(), *GRAPH_MEDIA.values()]}}}


def create_app(store_location: str | None = None, *, corpus_dirs: list[str] | None = None,
               sparql_timeout: float | None = None, sparql_max_rows: int | None = None,
               sparql_memory_mb: int | None = None) -> FastAPI:
    limits = Limits.from_env(sparql_timeout, sparql_max_rows, sparql_memory_mb)
    corpus = corpus_dirs or os.environ.get(ENV_CORPUS, "corpus").split(os.pathsep)
    ctx = Context(store_location, QueryRunner(store_location, limits), [Path(p) for p in corpus])

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.runner.close()

    app = FastAPI(title="beleidsgraaf", lifespan=lifespan, responses=problems.RESPONSES, docs_url=None, redoc_url=None,
                  description="Kennisgraaf van gemeentelijk beleid (DIN) met bronvermelding / policy knowledge graph "
                              "with cited evidence. Errors are RFC 9457 problem details.")
    app.state.ctx = ctx
    problems.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the body limit's 413 gets the headers too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # The docs pages load Swagger UI / ReDoc from their CDN and run one inline script FastAPI writes (no
    # data in it): their own CSP allows exactly those, by hash. The site's pages keep the strict one.
    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return with_csp(get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return with_csp(get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API"))

    # -- questions ---------------------------------------------------------------------------
    @app.get("/ask", tags=["questions"], summary="Answer a question with cited evidence")
    def ask(q: Annotated[str, Query(description="question in Dutch or English")]) -> JSONResponse:
        question = text_param(q)
        return JSONResponse(optional("queries.answer", "ask")(ctx.store(), question))

    @app.get("/search", tags=["questions"], summary="Ranked passages with document and lines")
    def search(q: Annotated[str, Query(description="search text")],
               k: Annotated[int, Query(ge=1, le=100)] = 10) -> JSONResponse:
        text = text_param(q)
        passages = optional("queries.search", "search")(ctx.store(), text, k)
        return JSONResponse({"query": text, "passages": [p.as_dict() for p in passages]})

    # -- SPARQL --------------------------------------------------------------------------------
    def sparql_response(request: Request, text: str) -> Response:
        solution_fmt, graph_fmt = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        result_type, fmt, payload = ctx.runner.run(text, solution_fmt, graph_fmt)
        return Response(payload, media_type=media_type(result_type, fmt))

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol query via GET (read-only)",
             responses=SPARQL_RESULTS)
    def sparql_get(request: Request, query: Annotated[str, Query(description="SPARQL query")]) -> Response:
        return sparql_response(request, query)

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol query via POST (form or sparql-query body)",
              openapi_extra=SPARQL_BODY, responses=SPARQL_RESULTS)
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()  # at most MAX_BODY_BYTES: the BodyLimit middleware refused anything more
        if content_type == "application/sparql-query":
            text = body.decode("utf-8", errors="replace")
        elif content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                raise Problem(403, "this endpoint is read-only: SPARQL Update is not allowed", kind="update-refused")
            if "query" not in form:
                raise Problem(400, "missing form field 'query'", kind="empty-query")
            text = form["query"][0]
        elif content_type == "application/sparql-update":
            raise Problem(403, "this endpoint is read-only: SPARQL Update is not allowed", kind="update-refused")
        else:
            raise Problem(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded",
                          kind="unsupported-media-type")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(sparql_response, request, text)

    # -- named queries -------------------------------------------------------------------------
    @app.get("/queries", tags=["sparql"], summary="The named query catalogue")
    def queries() -> JSONResponse:
        return JSONResponse([describe_query(q) for q in named.catalogue().values()])

    @app.get("/queries/{name}", tags=["sparql"], summary="Run a named query with bound parameters")
    def run_query(name: str, request: Request) -> Response:
        query = named.get(name)
        values = {k: v for k, v in request.query_params.items() if k != "format"}
        bound = query.bind(values)
        from beleidsgraaf.ontology.store import bind_values

        return sparql_response(request, bind_values(query.text, bound))

    # -- wards and programmes ------------------------------------------------------------------
    @app.get("/wards", tags=["wards"], summary="All wards (gemeente, wijk, dorp, buurt)")
    def wards() -> JSONResponse:
        return JSONResponse(views.wards(ctx.store()))

    @app.get("/wards/{name}", tags=["wards"], summary="A ward: buurten, aliases, targeted and city-wide efforts")
    def ward(name: str) -> JSONResponse:
        return JSONResponse(views.ward_detail(ctx.store(), name))

    @app.get("/wards/{name}/afstemming", tags=["wards"], summary="Afstemming report for a ward")
    def afstemming(name: str) -> JSONResponse:
        return JSONResponse(views.ward_afstemming(ctx.store(), name))

    @app.get("/programmes", tags=["programmes"], summary="All programmes")
    def programmes() -> JSONResponse:
        return JSONResponse(views.programmes(ctx.store()))

    @app.get("/programmes/{name}", tags=["programmes"], summary="A programme's DIN (nodes and edges, with lines)")
    def programme(name: str) -> JSONResponse:
        return JSONResponse(views.programme_din(ctx.store(), name))

    @app.get("/validate", tags=["quality"], summary="SHACL findings")
    def validate(min_severity: str = "info") -> JSONResponse:
        findings = optional("shapes.findings", "validate")(ctx.store(), min_severity=min_severity)
        return JSONResponse([f.as_dict() for f in findings])

    # -- resources and documents ---------------------------------------------------------------
    @app.get("/resource/{path:path}", tags=["resources"], summary="Any IRI under id/: HTML, Turtle or JSON-LD")
    def resource(path: str, request: Request) -> Response:
        iri = str(ID) + path
        graph = views.describe(ctx.store(), iri)
        kind = wants(request, "text/html", "text/turtle", "application/ld+json", "application/json")
        if kind == "text/html":
            return pages.resource_page(request, iri, graph)
        if kind == "text/turtle":
            return Response(graph.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")
        return Response(graph.serialize(format="json-ld"), media_type="application/ld+json")

    @app.get("/documents/{file}", tags=["resources"], summary="Source text with line numbers; cited lines highlighted")
    def document(file: str, request: Request, from_: Annotated[int | None, Query(alias="from", ge=1)] = None,
                 to: Annotated[int | None, Query(ge=1)] = None) -> Response:
        lines = source_lines(ctx, file)
        first, last = from_, to if to is not None else from_
        if first is not None and last is not None:
            if last < first:
                raise Problem(422, f"'to' ({last}) is before 'from' ({first})", kind="bad-range")
            if first > len(lines):
                raise Problem(422, f"{file} has {len(lines)} lines; line {first} does not exist", kind="bad-range")
            last = min(last, len(lines))
        if wants(request, "text/html", "application/json") == "text/html":
            return pages.document_page(request, file, lines, first, last)
        span = range(first or 1, (last or len(lines)) + 1)
        return JSONResponse({"document": file, "lines": [first or 1, last or len(lines)], "total_lines": len(lines),
                             "text": [{"n": n, "text": lines[n - 1]} for n in span]})

    pages.install(app, ctx)
    return app


def with_csp(page: HTMLResponse) -> HTMLResponse:
    """A docs page with a CSP naming its CDN and the hashes of its own inline scripts."""
    body = bytes(page.body).decode()
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
                      for script in re.findall(r"<script>(.*?)</script>", body, re.S))
    page.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src https://cdn.jsdelivr.net {hashes}; "
        "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; font-src https://fonts.gstatic.com; "
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; "
        "base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
    return page


def describe_query(query: named.NamedQuery) -> dict[str, Any]:
    return {"name": query.name, "nl": query.nl, "en": query.en, "examples": list(query.examples),
            "parameters": [{"name": p.name, "type": p.type, "description": p.description, "optional": p.optional}
                           for p in query.parameters],
            "sparql": query.text}


def source_lines(ctx: Context, file: str) -> tuple[str, ...]:
    """The numbered lines of an ingested file, read as ingest read them, if the file is still the same."""
    known = views.source_files(ctx.store())
    if file not in known:
        raise views.UnknownName(f"no ingested document '{file[:100]}'", sorted(known)[:5])
    return _read_source(tuple(ctx.corpus_dirs), file, known[file]["sha256"])


@cache
def _read_source(dirs: tuple[Path, ...], file: str, sha256: str | None) -> tuple[str, ...]:
    from beleidsgraaf.ingest import readers

    for directory in dirs:
        path = directory / file
        if path.is_file():
            source = readers.read(path)
            if sha256 and source.sha256 != sha256:
                raise Problem(409, f"{file} changed since it was ingested; run `beleidsgraaf ingest` again",
                              kind="source-changed")
            return source.lines
    raise NotFoundError(f"the source file {file} is not in {', '.join(str(d) for d in dirs)}",
                        hint=f"set {ENV_CORPUS} to the folder that was ingested")
