"""The web page: server-rendered Jinja2 templates, Dutch first, English with ?lang=en (kept in a cookie)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from rdflib import Graph, Literal, URIRef

from beleidsgraaf.api import din_svg
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.ontology.namespaces import BG, DCTERMS, ID, PREFIXES, PROV
from beleidsgraaf.ontology.store import bind_values
from beleidsgraaf.queries import named, views

if TYPE_CHECKING:
    from beleidsgraaf.api.http import Context

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "ask": "Vraag", "wards": "Wijken", "programmes": "Programma's", "findings": "Bevindingen", "sparql": "SPARQL",
        "ask_placeholder": "Stel een vraag, bijv. Welke lijnprojecten raken Ossenkoppelerhoek?", "ask_button": "Vraag",
        "answer": "Antwoord", "evidence": "Bron", "passages": "Passages", "query_used": "Gebruikte SPARQL",
        "not_available": "Deze functie is in deze versie nog niet beschikbaar.", "targeted": "Gericht op dit gebied",
        "citywide": "Stadsbreed (bereikt dit gebied)", "parts": "Buurten", "aliases": "Andere schrijfwijzen",
        "afstemming": "Afstemming", "none": "Geen gevonden in de documenten.", "steering": "Sturing",
        "owner": "Eigenaar", "din": "Doelen-Inspanningen-Netwerk", "nodes": "knopen", "run": "Uitvoeren",
        "examples": "Voorbeelden", "rows": "rijen", "source": "Brontekst", "lines": "regels", "error": "Fout",
        "resource": "Resource", "property": "Eigenschap", "value": "Waarde", "severity": "Ernst",
        "message": "Melding", "focus": "Betreft", "kind": "Soort", "via": "Via", "parent": "Ligt in",
        "intro": "Kennisgraaf van gemeentelijk beleid: elk antwoord met document en regelnummers.",
        "no_din": "Voor dit programma staat geen DIN in de documenten.",
        "prefixes_known": "Deze prefixen zijn al gedeclareerd", "editor_help":
        "Ctrl+Enter voert uit; Ctrl+Spatie vult aan (na PREFIX: bekende prefixen; een onbekend prefix krijgt zijn "
        "PREFIX-regel vanzelf).",
    },
    "en": {
        "ask": "Ask", "wards": "Wards", "programmes": "Programmes", "findings": "Findings", "sparql": "SPARQL",
        "ask_placeholder": "Ask a question, e.g. Which line projects reach Ossenkoppelerhoek?", "ask_button": "Ask",
        "answer": "Answer", "evidence": "Source", "passages": "Passages", "query_used": "SPARQL used",
        "not_available": "This feature is not available in this version yet.", "targeted": "Targeted at this ward",
        "citywide": "City-wide (reaching this ward)", "parts": "Buurten", "aliases": "Other spellings",
        "afstemming": "Coordination (afstemming)", "none": "None found in the documents.", "steering": "Steering",
        "owner": "Owner", "din": "Goals-efforts network", "nodes": "nodes", "run": "Run",
        "examples": "Examples", "rows": "rows", "source": "Source text", "lines": "lines", "error": "Error",
        "resource": "Resource", "property": "Property", "value": "Value", "severity": "Severity",
        "message": "Message", "focus": "Concerns", "kind": "Kind", "via": "Via", "parent": "Lies in",
        "intro": "Knowledge graph of municipal policy: every answer with document and line numbers.",
        "no_din": "The documents state no DIN for this programme.",
        "prefixes_known": "These prefixes are declared already", "editor_help":
        "Ctrl+Enter runs; Ctrl+Space completes (after PREFIX: known prefixes; a prefix you use gets its PREFIX "
        "line by itself).",
    },
}


# Words the editor script shows (api/static/sparql.js), handed over in a JSON data block.
EDITOR_TEXT: dict[str, dict[str, str]] = {
    "nl": {"running": "Bezig…", "rows": "rijen", "row": "rij", "of": "van", "page": "Pagina", "previous": "Vorige",
           "next": "Volgende", "download": "Download", "share": "Deelbare link", "copy": "Kopieer", "copied": "Gekopieerd",
           "endpoint": "Als SPARQL-endpoint-URL", "took": "in", "server": "server", "empty": "Geen resultaten.",
           "yes": "waar", "no": "onwaar", "error": "Fout", "at": "regel {line}, kolom {column}",
           "network": "Geen verbinding met de server."},
    "en": {"running": "Running…", "rows": "rows", "row": "row", "of": "of", "page": "Page", "previous": "Previous",
           "next": "Next", "download": "Download", "share": "Shareable link", "copy": "Copy", "copied": "Copied",
           "endpoint": "As SPARQL endpoint URL", "took": "in", "server": "server", "empty": "No results.",
           "yes": "true", "no": "false", "error": "Error", "at": "line {line}, column {column}",
           "network": "No connection to the server."},
}


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("lang") or "nl"
    return wanted if wanted in TEXT else "nl"


def evidence_href(document: str, lines: list[int] | tuple[int, int]) -> str:
    first, last = (list(lines) + [lines[0]])[:2] if lines else (1, 1)
    return f"/documents/{quote(document)}?from={first}&to={last}#L{first}"


def resource_href(iri: str) -> str:
    if iri.startswith(str(ID)):
        return "/resource/" + iri[len(str(ID)):]
    # Any other IRI links out only over http(s): a javascript: or data: IRI in the graph is not a link.
    return iri if iri.lower().startswith(("http://", "https://")) else "#"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(request, template, {
        "t": TEXT[lang], "lang": lang, "evidence_href": evidence_href, "resource_href": resource_href,
        "path": request.url.path, **context}, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def guarded(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Render user errors as a page (with the status) instead of problem JSON."""
    import functools

    @functools.wraps(handler)
    def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return handler(request, *args, **kwargs)
        except Problem as exc:
            return render(request, "error.html", exc.status, message=exc.detail, suggestions=exc.extra.get("suggestions"))
        except BeleidsgraafError as exc:
            return render(request, "error.html", exc.status, message=str(exc),
                          suggestions=getattr(exc, "suggestions", None))

    return wrapper


def available(ctx: Context, module: str, attribute: str, *args: Any, **kwargs: Any) -> Any:
    """Call an optional use case; None when that module is not built yet."""
    from beleidsgraaf.api.http import optional

    try:
        function = optional(module, attribute)
    except Problem:
        return None
    return function(ctx.store(), *args, **kwargs)


def install(app: FastAPI, ctx: Context) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def home(request: Request, q: str | None = None) -> Response:
        from beleidsgraaf.api.http import text_param

        answer, unavailable = None, False
        if q is not None and q.strip():
            question = text_param(q)
            answer = available(ctx, "queries.answer", "ask", question)
            unavailable = answer is None
        return render(request, "ask.html", q=q or "", answer=answer, unavailable=unavailable)

    @app.get("/ui/wards", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def wards_page(request: Request) -> Response:
        listing = views.wards(ctx.store())
        top = [w for w in listing if w["kind"] in ("Wijk", "Dorp", "Stadsdeel")]
        children: dict[str, list[dict[str, Any]]] = {}
        for ward in listing:
            if ward["kind"] == "Buurt" and ward["parent"]:
                children.setdefault(ward["parent"], []).append(ward)
        return render(request, "wards.html", wards=sorted(top, key=lambda w: w["name"]), children=children)

    @app.get("/ui/wards/{name}", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def ward_page(request: Request, name: str) -> Response:
        store = ctx.store()
        ward = views.ward_detail(store, name)
        report = views.ward_afstemming(store, name)  # resolved as the ward itself, so both agree on which ward
        return render(request, "ward.html", ward=ward, report=report)

    @app.get("/ui/programmes", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def programmes_page(request: Request) -> Response:
        return render(request, "programmes.html", programmes=views.programmes(ctx.store()))

    @app.get("/ui/programmes/{name}", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def programme_page(request: Request, name: str) -> Response:
        din = views.programme_din(ctx.store(), name)
        svg = din_svg.render(din, language(request)) if din["nodes"] else None
        return render(request, "programme.html", din=din, svg=svg)

    @app.get("/ui/findings", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def findings_page(request: Request) -> Response:
        findings = available(ctx, "shapes.findings", "validate")
        rows = None if findings is None else [f.as_dict() for f in findings]
        return render(request, "findings.html", findings=rows)

    @app.api_route("/ui/sparql", methods=["GET", "POST"], response_class=HTMLResponse, include_in_schema=False)
    async def sparql_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        text = request.query_params.get("query", "")
        if request.method == "POST":  # the body is bounded by the BodyLimit middleware before it gets here
            form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
            text = (form.get("query") or [""])[0]
        return await run_in_threadpool(_sparql_page, request, ctx, text)


def sparql_editor(request: Request, ctx: Context, text: str) -> Response:
    """The SPARQL editor page, with ``text`` in it and, if not empty, its results (also shown at GET /sparql)."""
    return _sparql_page(request, ctx, text)


@guarded
def _sparql_page(request: Request, ctx: Context, text: str) -> Response:
    examples = []
    for query in named.catalogue().values():
        values = dict(e.split("=", 1) for e in query.examples[:1] if "=" in e)
        try:
            example = bind_values(query.text, query.bind(values)) if values else query.text
        except BeleidsgraafError:
            example = query.text
        examples.append({"name": query.name, "description": query.nl if language(request) == "nl" else query.en,
                         "text": example})
    table, error, status, result = None, None, 200, None
    if text.strip():
        try:
            started = time.perf_counter()
            result_type, fmt, payload = ctx.runner.run(text, "json", "turtle")
            took = round((time.perf_counter() - started) * 1000, 1)
            if fmt == "json":
                data = json.loads(payload)
                if "boolean" in data:
                    table = {"vars": ["boolean"], "rows": [[str(data["boolean"]).lower()]]}
                else:
                    variables = data["head"]["vars"]
                    bindings = data["results"]["bindings"]
                    rows = [[(b.get(v) or {}).get("value", "") for v in variables] for b in bindings]
                    table = {"vars": variables, "rows": rows}
                result = {"json": data, "ms": took}
            else:
                table = {"vars": ["turtle"], "rows": [[payload.decode("utf-8")]]}
                result = {"turtle": payload.decode("utf-8"), "ms": took}
        except Problem as exc:
            error, status = exc.detail, exc.status
            result = {"problem": {"detail": exc.detail, **{k: v for k, v in exc.extra.items() if k in ("line", "column")}}}
    # The editor script gets its data as JSON data blocks (not code; the CSP allows no inline script).
    return render(request, "sparql.html", status, query=text, examples=examples, table=table, error=error, result=result,
                  prefixes={prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
                  editor_text=EDITOR_TEXT[language(request)])


def resource_page(request: Request, iri: str, graph: Graph) -> HTMLResponse:
    subject = URIRef(iri)
    rows = []
    for p, o in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1]))):
        rows.append({"p": graph.namespace_manager.normalizeUri(p), "p_iri": str(p),
                     "o": str(o) if isinstance(o, Literal) else graph.namespace_manager.normalizeUri(o),
                     "o_iri": None if isinstance(o, Literal) else str(o)})
    citations = []
    for source in graph.objects(subject, PROV.qualifiedDerivation):
        first, last = graph.value(source, BG.beginRegel), graph.value(source, BG.eindRegel)
        doc = graph.value(source, PROV.entity)
        file = graph.value(graph.value(doc, DCTERMS.isPartOf), BG.bestandsnaam) if doc is not None else None
        citations.append({"document": str(file) if file else None, "first": int(first) if first is not None else None,
                          "last": int(last) if last is not None else None,
                          "quote": str(graph.value(source, BG.citaat) or "")})
    citations.sort(key=lambda c: (c["document"] or "", c["first"] or 0))
    return render(request, "resource.html", iri=iri, rows=rows, citations=citations)


def document_page(request: Request, file: str, lines: tuple[str, ...], first: int | None, last: int | None) -> HTMLResponse:
    # Show the cited span with context rather than a 9000-line page; the whole text is one link away.
    if first is not None:
        start, end = max(1, first - 40), min(len(lines), (last or first) + 40)
    else:
        start, end = 1, len(lines)
    numbered = [(n, lines[n - 1]) for n in range(start, end + 1)]
    return render(request, "document.html", file=file, numbered=numbered, first=first, last=last or first,
                  total=len(lines))
