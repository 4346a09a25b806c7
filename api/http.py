"""HTTP API: FastAPI app factory. Endpoints parse, call a use case, and render; nothing else."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from beleidsgraaf.api import pages, problems, schemas, service_description
from beleidsgraaf.api.middleware import BodyLimit, PublicCors, SecurityHeaders
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.api.sparql_protocol import (
    FORMAT_PARAMS,
    MAX_BODY_BYTES,
    GraphSet,
    Limits,
    QueryRunner,
    media_type,
    negotiate,
)
from beleidsgraaf.errors import NotFoundError
from beleidsgraaf.ontology.namespaces import ID
from beleidsgraaf.ontology.store import EmbeddedStore, open_store
from beleidsgraaf.queries import named, views
from beleidsgraaf.queries.answer import ask as answer_question
from beleidsgraaf.queries.paging import DEFAULT_LIMIT, MAX_LIMIT, count, envelope, form, page, window
from beleidsgraaf.queries.search import search as search_passages
from beleidsgraaf.shapes.findings import validate as validate_store

ENV_CORPUS = "BELEIDSGRAAF_CORPUS"
PAGING = ("limit", "offset")  # query-string names that page a listing, not parameters of a named query
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (at most {MAX_LIMIT})", examples=[50])]
Offset = Annotated[int, Query(ge=0, description="rows to skip: the next page starts at offset + limit", examples=[0])]
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


WIJKEN = ("PREFIX bg: <https://w3id.org/beleidsgraaf/def#>\n"
          "SELECT ?wijk ?naam WHERE { ?wijk a bg:Wijk ; rdfs:label ?naam } ORDER BY ?naam LIMIT 5")
EXAMPLE_GRAPH = "https://w3id.org/beleidsgraaf/id/graph/almelo-2020-contract-wijksturing"
GRAPH_PARAMS: dict[str, Any] = {
    "default-graph-uri": {"type": "array", "items": {"type": "string", "format": "uri"},
                          "description": "a graph to use as (part of) the default graph; repeatable; overrides FROM"},
    "named-graph-uri": {"type": "array", "items": {"type": "string", "format": "uri"},
                        "description": "a graph GRAPH ?g may match; repeatable; overrides FROM NAMED"},
}
# POST /sparql reads its body itself (two media types, SPARQL Protocol rules), so OpenAPI is told here.
SPARQL_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/sparql-query": {"schema": {"type": "string", "maxLength": 100 * 1024}, "example": WIJKEN},
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["query"],
        "properties": {"query": {"type": "string", "description": "SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                                 "example": WIJKEN},
                       **GRAPH_PARAMS,
                       "format": {"type": "string", "description": "result format shortcut (json, xml, csv, tsv, "
                                  "turtle, json-ld, ...); unknown values are ignored"}}}},
}}, "parameters": [{"name": name, "in": "query", "required": False, "schema": schema,
                    "description": schema["description"] + " (with an application/sparql-query body)"}
                   for name, schema in GRAPH_PARAMS.items()]}
_BINDING = {"type": "uri", "value": schemas.OSSENKOPPELERHOEK}
SPARQL_RESULTS: dict[int | str, dict[str, Any]] = {200: {
    "description": "Query results in the format the Accept header (or `format`) asks for: SELECT and ASK as "
                   "SPARQL results (JSON, XML, CSV, TSV), CONSTRUCT and DESCRIBE as RDF (Turtle, JSON-LD, "
                   "N-Triples, RDF/XML). The `Server-Timing` header says how long the query took.",
    "content": {
        "application/sparql-results+json": {"example": {"head": {"vars": ["wijk", "naam"]}, "results": {"bindings": [
            {"wijk": _BINDING, "naam": {"type": "literal", "value": "Ossenkoppelerhoek"}}]}}},
        "application/sparql-results+xml": {"example": '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                                           '<head><variable name="wijk"/></head><results><result><binding name="wijk">'
                                           f"<uri>{schemas.OSSENKOPPELERHOEK}</uri></binding></result></results></sparql>"},
        "text/csv": {"example": f"wijk,naam\r\n{schemas.OSSENKOPPELERHOEK},Ossenkoppelerhoek\r\n"},
        "text/tab-separated-values": {"example": f'?wijk\t?naam\n<{schemas.OSSENKOPPELERHOEK}>\t"Ossenkoppelerhoek"\n'},
        "text/turtle": {"example": f"<{schemas.OSSENKOPPELERHOEK}> a <https://w3id.org/beleidsgraaf/def#Wijk> ."},
        "application/ld+json": {"example": [{"@id": schemas.OSSENKOPPELERHOEK,
                                             "@type": ["https://w3id.org/beleidsgraaf/def#Wijk"]}]},
        "application/n-triples": {"example": f"<{schemas.OSSENKOPPELERHOEK}> <http://www.w3.org/1999/02/22-rdf-syntax-ns"
                                             "#type> <https://w3id.org/beleidsgraaf/def#Wijk> ."},
        "application/rdf+xml": {"example": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'},
    }}}
SERVICE_DESCRIPTION: dict[int | str, dict[str, Any]] = {200: {
    "description": "With `query`: the results (see POST). Without `query`: the SPARQL 1.1 Service Description of "
                   "this endpoint (Turtle, JSON-LD, RDF/XML or N-Triples by Accept), or the query editor for a "
                   "browser (Accept: text/html).",
    "content": {**SPARQL_RESULTS[200]["content"],
                "text/turtle": {"example": "[] a sd:Service ; sd:endpoint <http://localhost:8000/sparql> ; "
                                           "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph ."},
                "text/html": {"example": "<!doctype html>..."}}}}
RESOURCE_MEDIA: dict[int | str, dict[str, Any]] = {200: {
    "description": "The resource's triples with their provenance, by Accept: an HTML page, Turtle or JSON-LD",
    "content": {"text/html": {"example": "<!doctype html>..."},
                "text/turtle": {"example": f"<{schemas.OSSENKOPPELERHOEK}> a bg:Wijk ; rdfs:label \"Ossenkoppelerhoek\" ."},
                "application/ld+json": {"example": [{"@id": schemas.OSSENKOPPELERHOEK, "http://www.w3.org/2000/01/"
                                                     "rdf-schema#label": [{"@value": "Ossenkoppelerhoek"}]}]}}}}
DOCUMENT_MEDIA: dict[int | str, dict[str, Any]] = {200: {
    "description": "The numbered lines, JSON by default, or an HTML page with the range highlighted (Accept: text/html)",
    "model": schemas.DocumentLines, "content": {"text/html": {"example": "<!doctype html>..."}}}}
DESCRIPTION = """Kennisgraaf van gemeentelijk beleid (Doelen-Inspanningen-Netwerk) met bronvermelding:
a policy knowledge graph where every answer carries the document and the lines it comes from.

* **questions**: `/ask` answers a question in Dutch or English; `/search` ranks passages.
* **sparql**: `/sparql` is a read-only SPARQL 1.1 Protocol endpoint (GET, POST form, POST
  `application/sparql-query`; `default-graph-uri` / `named-graph-uri`; CORS for any origin; a Service
  Description at `GET /sparql`). Without a dataset the default graph is the union of all named graphs.
  `/queries` lists named queries that `/queries/{name}` runs with bound parameters.
* **wards**, **programmes**, **quality**, **resources**: views on the graph; every minted IRI resolves
  under `/resource/`, and `/documents/{file}` shows the cited lines.

Errors are RFC 9457 problem details (`application/problem+json`)."""
TAGS = [
    {"name": "questions", "description": "Questions in Dutch or English, answered with cited evidence"},
    {"name": "sparql", "description": "The SPARQL 1.1 Protocol endpoint and the named query catalogue"},
    {"name": "wards", "description": "Gemeente, wijken, dorpen and buurten with the efforts that reach them"},
    {"name": "programmes", "description": "Programmes and their Doelen-Inspanningen-Netwerk"},
    {"name": "quality", "description": "SHACL findings on the graph"},
    {"name": "resources", "description": "Linked-data views of minted IRIs and the source documents"},
]
# The API docs pages: Swagger UI and ReDoc from api/static/vendor, started by a static script (no inline
# script). Swagger UI sets styles through the DOM, which a CSP allows; ReDoc's styled-components writes
# <style> elements and runs its search index in a blob: worker, so its page alone allows those two.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
REDOC_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "connect-src 'self'; worker-src blob:; form-action 'self'; base-uri 'none'; object-src 'none'; "
             "frame-ancestors 'none'")
WardName = Annotated[str, PathParam(description="the ward's name (any case, or a spelling the documents use) or its "
                                              "IRI", examples=["Ossenkoppelerhoek"])]
SD_MEDIA = ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
            "application/json")


def protocol_params(request: Request, form: dict[str, list[str]] | None = None) -> tuple[list[str], GraphSet]:
    """The format values and the dataset of a SPARQL request, from the query string and a form body.
    format=, output= and results= all name a format (SPARQLWrapper sends the three, as servers differ on
    the name); any other parameter the protocol does not define is ignored, not refused."""
    items = list(request.query_params.multi_items()) + [(k, v) for k, values in (form or {}).items() for v in values]

    def values(name: str) -> list[str]:
        return [v for k, v in items if k == name]

    formats = [v for name in FORMAT_PARAMS for v in values(name)]
    return formats, GraphSet.from_params(values("default-graph-uri"), values("named-graph-uri"))


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
                  description=DESCRIPTION, version="0.1.0", openapi_tags=TAGS)
    app.state.ctx = ctx
    problems.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(PublicCors, paths=("/sparql",))  # outside the body limit: its 413 is readable cross-origin
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the body limit's 413 gets the headers too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return docs_page(request, "swagger.html", DOCS_CSP, app)

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return docs_page(request, "redoc.html", REDOC_CSP, app)

    # -- questions ---------------------------------------------------------------------------
    @app.get("/ask", tags=["questions"], summary="Answer a question with cited evidence", response_model=schemas.Answer,
             description="Recognises the question type, runs the matching SPARQL and answers with the values and "
                         "the document lines they come from; a question it cannot map is answered from passages.")
    def ask(q: Annotated[str, Query(description="question in Dutch or English (at most 1000 characters)",
                                    examples=["Welke lijnprojecten raken Ossenkoppelerhoek?"])]) -> JSONResponse:
        question = text_param(q)
        return JSONResponse(answer_question(ctx.store(), question))

    @app.get("/search", tags=["questions"], summary="Ranked passages with document and lines",
             response_model=schemas.SearchResult,
             description="Full-text and semantic ranking over the ingested documents' passages.")
    def search(q: Annotated[str, Query(description="search text (at most 1000 characters)",
                                       examples=["wijkregisseur Ossenkoppelerhoek"])],
               k: Annotated[int, Query(ge=1, le=100, description="how many passages", examples=[3])] = 10) -> JSONResponse:
        text = text_param(q)
        passages = search_passages(ctx.store(), text, k)
        return JSONResponse({"query": text, "passages": [p.as_dict() for p in passages]})

    # -- SPARQL --------------------------------------------------------------------------------
    def sparql_response(request: Request, text: str, form: dict[str, list[str]] | None = None) -> Response:
        formats, graphs = protocol_params(request, form)
        solution_fmt, graph_fmt = negotiate(request.headers.get("accept"), formats)
        started = time.perf_counter()
        result_type, fmt, payload = ctx.runner.run(text, solution_fmt, graph_fmt, graphs)
        took = (time.perf_counter() - started) * 1000
        return Response(payload, media_type=media_type(result_type, fmt), headers={"Server-Timing": f"query;dur={took:.1f}"})

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol query via GET (read-only); service description",
             response_class=Response, responses=SERVICE_DESCRIPTION,
             description="Runs `query` (SELECT, ASK, CONSTRUCT, DESCRIBE; no SERVICE, no Update) with a deadline and "
                         "a row cap. Without `query` it describes the service (SPARQL 1.1 Service Description), or "
                         "shows the query editor to a browser.")
    def sparql_get(request: Request,
                   query: Annotated[str | None, Query(description="SPARQL query; leave out for the service description",
                                                      examples=[WIJKEN])] = None,
                   default_graph_uri: Annotated[list[str] | None, Query(
                       alias="default-graph-uri", description=GRAPH_PARAMS["default-graph-uri"]["description"],
                       examples=[[EXAMPLE_GRAPH]])] = None,
                   named_graph_uri: Annotated[list[str] | None, Query(
                       alias="named-graph-uri", description=GRAPH_PARAMS["named-graph-uri"]["description"],
                       examples=[[EXAMPLE_GRAPH]])] = None,
                   format_: Annotated[str | None, Query(
                       alias="format", description="result format shortcut for links: json, xml, csv, tsv, turtle, "
                                                   "json-ld, n-triples or a media type; unknown values are ignored "
                                                   "(Accept decides)", examples=["csv"])] = None) -> Response:
        if query is None:
            if wants(request, *SD_MEDIA) == "text/html":
                return pages.sparql_editor(request, ctx, "")
            return describe_service(request)
        return sparql_response(request, query)

    def describe_service(request: Request) -> Response:
        fmt = service_description.negotiate(request.headers.get("accept"))
        graph = service_description.describe(str(request.url.replace(query="", fragment="")).rstrip("?"), ctx.store(),
                                              ctx.runner.limits)
        return Response(graph.serialize(format=fmt, encoding="utf-8"), media_type=service_description.CONTENT_TYPE[fmt])

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol query via POST (form or sparql-query body)",
              openapi_extra=SPARQL_BODY, response_class=Response, responses=SPARQL_RESULTS,
              description="The query as an `application/sparql-query` body (dataset parameters in the URL) or as the "
                          "`query` field of a form (dataset parameters in the form). SPARQL Update is refused (403).")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()  # at most MAX_BODY_BYTES: the BodyLimit middleware refused anything more
        form = None
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
        return await run_in_threadpool(sparql_response, request, text, form)

    @app.options("/sparql", include_in_schema=False)
    def sparql_options() -> Response:
        # A CORS preflight is answered by the PublicCors middleware; this is a plain OPTIONS.
        return Response(status_code=204, headers={"Allow": PublicCors.METHODS})

    # -- named queries -------------------------------------------------------------------------
    # Totals of the listings paged through, per store generation: a generation never changes once written, so the
    # next pages of a listing do not count it again (at a million triples the count costs as much as the page).
    # A SPARQL server can change under us without a new generation here: its totals are always counted.
    totals: dict[tuple[Path, str], int] = {}

    def listing_total(counting: str) -> int:
        store = ctx.store()
        generation = store.current if type(store) is EmbeddedStore else None
        if generation is not None and (generation, counting) in totals:
            return totals[(generation, counting)]
        # The count runs in the same worker pool, so it has the same deadline as the page.
        _, _, payload = ctx.runner.run(counting, "json", None)
        [row] = json.loads(payload)["results"]["bindings"]
        total = int(next(iter(row.values()))["value"])
        if generation is not None:
            if len(totals) >= 1000:
                totals.clear()
            totals[(generation, counting)] = total
        return total

    @app.get("/queries", tags=["sparql"], summary="The named query catalogue", response_model=list[schemas.NamedQuery],
             description="Each named query with its Dutch and English description, parameters and SPARQL text.")
    def queries() -> JSONResponse:
        return JSONResponse([describe_query(q) for q in named.catalogue().values()])

    @app.get("/queries/{name}", tags=["sparql"], summary="Run a named query with bound parameters",
             response_class=Response, responses=SPARQL_RESULTS,
             description="Parameters go in the query string by name (see `/queries`); values are bound as RDF "
                         "terms, never spliced into the text. Results by Accept or `format`, as on `/sparql`. A SELECT "
                         "query comes a page at a time (`limit`, `offset`); the number of rows of the whole listing is "
                         "the header `X-Total-Count`, and in SPARQL JSON results also the members `total`, `limit` "
                         "and `offset` beside `head` and `results`.")
    def run_query(name: Annotated[str, PathParam(description="a name from /queries", examples=["ward-buurten"])],
                  request: Request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Response:
        query = named.get(name)
        values = {k: v for k, v in request.query_params.items() if k not in FORMAT_PARAMS and k not in PAGING}
        bound = query.bind(values)
        from beleidsgraaf.ontology.store import bind_values

        text = bind_values(query.text, bound)
        if form(text) != "SELECT":  # triples or a yes/no: no rows to page
            return sparql_response(request, text)
        response = sparql_response(request, page(text, limit, offset))
        total = listing_total(count(text))
        response.headers["X-Total-Count"] = str(total)
        if response.media_type == "application/sparql-results+json":
            body = {**json.loads(response.body), **{k: v for k, v in envelope([], total, limit, offset).items() if k != "items"}}
            response = Response(json.dumps(body).encode(), media_type=response.media_type, headers={
                k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")})
        return response

    # -- wards and programmes ------------------------------------------------------------------
    @app.get("/wards", tags=["wards"], summary="All wards (gemeente, wijk, dorp, buurt)", response_model=schemas.WardPage,
             description="Every area in the graph with its kind, CBS code, parent and other spellings, a page at a "
                         "time (`items`, with the `total`).")
    def wards(limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> JSONResponse:
        return JSONResponse(window(views.wards(ctx.store()), limit, offset))

    @app.get("/wards/{name}", tags=["wards"], summary="A ward: buurten, aliases, targeted and city-wide efforts",
             response_model=schemas.WardDetail,
             description="An unknown name is a 404 with suggestions (`suggestions`) of names that are close.")
    def ward(name: WardName) -> JSONResponse:
        return JSONResponse(views.ward_detail(ctx.store(), name))

    @app.get("/wards/{name}/afstemming", tags=["wards"], summary="Afstemming report for a ward",
             response_model=schemas.Afstemming,
             description="Who has to coordinate with whom for this ward: the efforts that reach it, grouped by "
                         "steering and owner, and the coordination rules in the documents.")
    def afstemming(name: WardName) -> JSONResponse:
        return JSONResponse(views.ward_afstemming(ctx.store(), name))

    # A name picks one of its namesakes (Binnenstad in Almelo and in Utrecht); the IRI's path below id/gebied/
    # (``/wards/utrecht/binnenstad``, as the web page links) names exactly one. Declared after the routes above,
    # which a single-segment name still matches first, and hidden from the docs as the same operations.
    @app.get("/wards/{ref:path}/afstemming", include_in_schema=False)
    def afstemming_by_path(ref: str) -> JSONResponse:
        return JSONResponse(views.ward_afstemming(ctx.store(), ref))

    @app.get("/wards/{ref:path}", include_in_schema=False)
    def ward_by_path(ref: str) -> JSONResponse:
        return JSONResponse(views.ward_detail(ctx.store(), ref))

    @app.get("/programmes", tags=["programmes"], summary="All programmes", response_model=schemas.ProgrammePage,
             description="Every programme with its contract and the size of its DIN, a page at a time (`items`, with "
                         "the `total`).")
    def programmes(limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> JSONResponse:
        return JSONResponse(window(views.programmes(ctx.store()), limit, offset))

    @app.get("/programmes/{name}", tags=["programmes"], summary="A programme's DIN (nodes and edges, with lines)",
             response_model=schemas.Din,
             description="Goals and efforts of the programme, ordered by DIN level, with the edges between them "
                         "and the lines each comes from.")
    def programme(name: Annotated[str, PathParam(description="programme name (any case) or IRI",
                                                 examples=["Duurzaamheid"])]) -> JSONResponse:
        return JSONResponse(views.programme_din(ctx.store(), name))

    @app.get("/programmes/{ref:path}", include_in_schema=False)  # by IRI path, as for wards above
    def programme_by_path(ref: str) -> JSONResponse:
        return JSONResponse(views.programme_din(ctx.store(), ref))

    @app.get("/validate", tags=["quality"], summary="SHACL findings", response_model=schemas.FindingPage,
             description="The SHACL shapes' findings on the current graph, each with the document lines concerned, "
                         "a page at a time (`items`, with the `total`).")
    def validate(min_severity: Annotated[str, Query(description="the least severe level to list: info, warning or "
                                                                "violation", examples=["warning"])] = "info",
                 limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> JSONResponse:
        findings = validate_store(ctx.store(), min_severity=min_severity)
        return JSONResponse(window([f.as_dict() for f in findings], limit, offset))

    # -- resources and documents ---------------------------------------------------------------
    @app.get("/resource/{path:path}", tags=["resources"], summary="Any IRI under id/: HTML, Turtle or JSON-LD",
             response_class=Response, responses=RESOURCE_MEDIA,
             description="Dereferences `https://w3id.org/beleidsgraaf/id/{path}`: its triples and where they come from.")
    def resource(path: Annotated[str, PathParam(description="the IRI after https://w3id.org/beleidsgraaf/id/",
                                                examples=["gebied/almelo/ossenkoppelerhoek"])],
                 request: Request) -> Response:
        iri = str(ID) + path
        graph = views.describe(ctx.store(), iri)
        kind = wants(request, "text/html", "text/turtle", "application/ld+json", "application/json")
        if kind == "text/html":
            return pages.resource_page(request, iri, graph)
        if kind == "text/turtle":
            return Response(graph.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")
        return Response(graph.serialize(format="json-ld"), media_type="application/ld+json")

    @app.get("/documents/{file}", tags=["resources"], summary="Source text with line numbers; cited lines highlighted",
             responses=DOCUMENT_MEDIA,
             description="The text of an ingested file as ingest read it; 409 if the file changed since.")
    def document(file: Annotated[str, PathParam(description="file name as ingested", examples=[schemas.CONTRACTS])],
                 request: Request,
                 from_: Annotated[int | None, Query(alias="from", ge=1, description="first line", examples=[229])] = None,
                 to: Annotated[int | None, Query(ge=1, description="last line (default: from)", examples=[230])] = None,
                 ) -> Response:
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


def docs_page(request: Request, template: str, csp: str, app: FastAPI) -> HTMLResponse:
    """An API docs page whose scripts and styles are all served from /static (nothing from elsewhere)."""
    page = pages.templates.TemplateResponse(request, template, {"title": f"{app.title} API",
                                                                "openapi_url": app.openapi_url or "/openapi.json"})
    page.headers["Content-Security-Policy"] = csp
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
