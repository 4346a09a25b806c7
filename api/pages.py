"""The web page: server-rendered Jinja2 templates, Dutch first, English with ?lang=en (kept in a cookie)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from rdflib import Graph, Literal, URIRef

from beleidsgraaf.api import din_svg, page_views
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.ontology.namespaces import BG, DCTERMS, ID, PREFIXES, PROV
from beleidsgraaf.ontology.store import bind_values
from beleidsgraaf.queries import named, views
from beleidsgraaf.queries.answer import ask
from beleidsgraaf.shapes.findings import validate

if TYPE_CHECKING:
    from beleidsgraaf.api.http import Context

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def euro(amount: float | int | None, lang: str = "nl") -> str:
    """An amount as its readers write it: € 1.616.046 in Dutch, €1,616,046 in English; cents only when there are."""
    if amount is None:
        return "–"
    text = f"{amount:,.2f}" if amount != int(amount) else f"{int(amount):,}"
    return "€ " + text.replace(",", " ").replace(".", ",").replace(" ", ".") if lang == "nl" else "€" + text


templates.env.filters["euro"] = euro

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


# Words of the ward, programme, list and findings pages (kept apart from the words above, which other pages use).
PAGE_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "municipality": "Gemeente", "what_lands": "Wat landt in dit gebied", "total": "Totaal",
        "scope.gericht": "Gericht op dit gebied", "scope.stadsbreed": "Stadsbreed",
        "scope.onbekend": "Bereik onbekend", "scope_short.gericht": "Gericht", "scope_short.stadsbreed": "Stadsbreed",
        "scope_short.onbekend": "Bereik onbekend",
        "scope_help.gericht": "Inspanningen die dit gebied noemen (of een buurt erin, of de wijk eromheen).",
        "scope_help.stadsbreed": "Inspanningen voor de hele gemeente: ze bereiken ook dit gebied.",
        "scope_help.onbekend": "Onzeker: de documenten zeggen niet op welke gebieden deze inspanningen gericht zijn. "
                               "Ze kunnen dit gebied raken; kijk in de bron.",
        "uncertain": "onzeker", "steering.lijnsturing": "Lijnsturing", "steering.programmasturing": "Programmasturing",
        "steering.wijksturing": "Wijksturing", "steering.onbekend": "Sturing niet genoemd",
        "owner.unit": "lijneenheid", "owner.programme": "programma", "no_owner": "Geen eigenaar genoemd",
        "subject.lijnsturing": "De lijn", "subject.programmasturing": "Het programma",
        "subject.wijksturing": "Wijksturing", "subject.onbekend": "De uitvoerder",
        "role.wijkregisseur": "de wijkregisseur", "role.programmamanager": "de programmamanager",
        "coordinates_with": "stemt af met", "no_rule": "De documenten noemen hiervoor geen afstemmingsregel.",
        "rules": "Afstemmingsregels", "ward_rules": "Regels voor de wijk (wijksturing)",
        "programme_rules": "Regels in programmacontracten", "contact": "Wijkregisseur",
        "no_contact": "De documenten noemen voor dit gebied geen wijkregisseur bij naam.",
        "print": "Afdrukversie (alles open)", "namesakes": "Zelfde naam elders", "previous": "Vorige",
        "next": "Volgende", "of": "van", "document": "Document", "effort": "Inspanning", "budgets": "Budgetten",
        "actors": "Actoren", "role": "Rol", "name": "Naam", "amount": "Bedrag", "period": "Jaar of looptijd",
        "purpose": "Waarvoor", "holder": "Budgethouder", "stated_total": "vermeld totaal", "places": "Gebieden",
        "targeted_short": "inspanningen gericht", "named_short": "genoemd", "programme": "Programma",
        "filter": "Filteren", "all": "Alle", "clear_filters": "Filters wissen", "download": "Downloaden",
        "shown": "getoond", "check": "Controle", "document_all": "Alle documenten", "no_document": "Zonder document",
        "severity.violation": "Fout", "severity.warning": "Let op", "severity.info": "Opmerking",
        "severities.violation": "fouten", "severities.warning": "let op", "severities.info": "opmerkingen",
        "findings_n": "bevindingen", "concerns": "Betreft", "areas": "gebieden", "programmes_n": "programma's",
        "none_filtered": "Geen bevindingen met deze filters.", "din_list": "Het DIN als lijst",
        "din_hint": "Elke knoop linkt naar de regels waar hij staat; op een smal scherm schuift het plaatje opzij.",
        "lines_short": "r.", "buurten_of": "buurten", "in_municipality": "in", "via_short": "via",
    },
    "en": {
        "municipality": "Municipality", "what_lands": "What lands in this ward", "total": "Total",
        "scope.gericht": "Targeted at this ward", "scope.stadsbreed": "City-wide",
        "scope.onbekend": "Scope unknown", "scope_short.gericht": "Targeted", "scope_short.stadsbreed": "City-wide",
        "scope_short.onbekend": "Scope unknown",
        "scope_help.gericht": "Efforts that name this ward (or a buurt in it, or the wijk around it).",
        "scope_help.stadsbreed": "Efforts for the whole municipality: they reach this ward too.",
        "scope_help.onbekend": "Uncertain: the documents do not say which wards these efforts target. They may "
                               "reach this ward; check the source.",
        "uncertain": "uncertain", "steering.lijnsturing": "Line steering",
        "steering.programmasturing": "Programme steering", "steering.wijksturing": "Ward steering",
        "steering.onbekend": "Steering not stated", "owner.unit": "line unit", "owner.programme": "programme",
        "no_owner": "No owner named", "subject.lijnsturing": "The line", "subject.programmasturing": "The programme",
        "subject.wijksturing": "Ward steering", "subject.onbekend": "The executor",
        "role.wijkregisseur": "the ward director (wijkregisseur)", "role.programmamanager": "the programme manager",
        "coordinates_with": "coordinates with", "no_rule": "The documents state no coordination rule for this.",
        "rules": "Coordination rules", "ward_rules": "Rules for the ward (ward steering)",
        "programme_rules": "Rules in programme contracts", "contact": "Ward director",
        "no_contact": "The documents name no ward director for this ward.",
        "print": "Print version (all open)", "namesakes": "Same name elsewhere", "previous": "Previous",
        "next": "Next", "of": "of", "document": "Document", "effort": "Effort", "budgets": "Budgets",
        "actors": "Actors", "role": "Role", "name": "Name", "amount": "Amount", "period": "Year or period",
        "purpose": "For", "holder": "Budget holder", "stated_total": "stated total", "places": "Wards",
        "targeted_short": "efforts targeted", "named_short": "named", "programme": "Programme",
        "filter": "Filter", "all": "All", "clear_filters": "Clear filters", "download": "Download",
        "shown": "shown", "check": "Check", "document_all": "All documents", "no_document": "No document",
        "severity.violation": "Error", "severity.warning": "Warning", "severity.info": "Note",
        "severities.violation": "errors", "severities.warning": "warnings", "severities.info": "notes",
        "findings_n": "findings", "concerns": "Concerns", "areas": "areas", "programmes_n": "programmes",
        "none_filtered": "No findings with these filters.", "din_list": "The DIN as a list",
        "din_hint": "Each node links to the lines it stands on; on a narrow screen the picture scrolls sideways.",
        "lines_short": "ll.", "buurten_of": "buurten", "in_municipality": "in", "via_short": "via",
    },
}
for _lang, _words in PAGE_TEXT.items():
    TEXT[_lang].update(_words)
# CSV column names of the findings download, in the page's language.
FINDINGS_CSV = {
    "nl": ("ernst", "melding", "bestand", "document", "eerste regel", "laatste regel", "betreft", "controle",
           "controle-id", "iri"),
    "en": ("severity", "message", "file", "document", "first line", "last line", "concerns", "check", "check id", "iri"),
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
        "ward_href": page_views.ward_href, "programme_href": page_views.programme_href,
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


def install(app: FastAPI, ctx: Context) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def home(request: Request, q: str | None = None) -> Response:
        from beleidsgraaf.api.http import text_param

        answer = ask(ctx.store(), text_param(q)) if q is not None and q.strip() else None
        return render(request, "ask.html", q=q or "", answer=answer)

    @app.get("/ui/wards", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def wards_page(request: Request, iri: str | None = None) -> Response:
        if iri:  # a ward whose IRI is not under id/gebied/ has its page here
            return ward(request, iri)
        listing = page_views.ward_list(request, views.wards(ctx.store()))
        return render(request, "wards.html", listing=listing)

    @app.get("/ui/wards/{ref:path}", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def ward_page(request: Request, ref: str) -> Response:
        return ward(request, ref)

    def ward(request: Request, ref: str) -> Response:
        """``ref`` is the IRI's path (the links), an IRI, or a name as typed (old links, people)."""
        store = ctx.store()
        detail = views.ward_detail(store, ref)
        report = views.ward_afstemming(store, ref)  # resolved as the ward itself, so both agree on which ward
        return render(request, "ward.html", ward=detail, report=report, view=page_views.ward_view(request, report),
                      json_href=page_views.api_ward_path(detail["iri"]) + "/afstemming",
                      print_href=page_views.with_params(request, all="1"), printing=page_views.show_all(request))

    @app.get("/ui/programmes", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def programmes_page(request: Request, iri: str | None = None) -> Response:
        if iri:
            return programme(request, iri)
        listing = page_views.programme_list(request, views.programmes(ctx.store()))
        return render(request, "programmes.html", listing=listing)

    @app.get("/ui/programmes/{ref:path}", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def programme_page(request: Request, ref: str) -> Response:
        return programme(request, ref)

    def programme(request: Request, ref: str) -> Response:
        store = ctx.store()
        din = views.programme_din(store, ref)
        svg = din_svg.render(din, language(request)) if din["nodes"] else None
        context = views.programme_context(store, din)
        listing = views.programmes(store)
        known = next((p for p in listing if p["iri"] == din["iri"]), {})
        others = [{**p, "href": page_views.programme_href(p["iri"])} for p in views.namesakes(listing, din["iri"], din["name"])]
        return render(request, "programme.html", din=din, svg=svg, municipality=din.get("municipality")
                      or known.get("municipality"), namesakes=others, wards=context["wards"],
                      budgets=page_views.paginate(request, context["budgets"], page_views.TABLE_SIZE, "p-budgets", "budgets"),
                      actors=page_views.paginate(request, context["actors"], page_views.TABLE_SIZE, "p-actors", "actors"),
                      budget_total=sum(b["amount"] or 0 for b in context["budgets"] if not b["total"]))

    @app.get("/ui/findings", response_class=HTMLResponse, include_in_schema=False)
    @guarded
    def findings_page(request: Request) -> Response:
        found = findings(ctx)
        if found is None:
            return render(request, "findings.html", view=None)
        from beleidsgraaf.shapes.findings import check_names

        view = page_views.findings_view(request, found, check_names(), language(request), _FINDINGS.get("towns", {}))
        return render(request, "findings.html", view=view)

    @app.get("/ui/findings.csv", include_in_schema=False)
    @guarded
    def findings_csv(request: Request) -> Response:
        from beleidsgraaf.shapes.findings import check_names

        lang = language(request)
        selected = page_views.filter_findings(findings(ctx) or [], page_views.finding_filters(request))
        body = page_views.findings_csv(selected, check_names(), lang, FINDINGS_CSV[lang])
        name = "bevindingen.csv" if lang == "nl" else "findings.csv"
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/ui/findings.json", include_in_schema=False)
    @guarded
    def findings_json(request: Request) -> Response:
        selected = page_views.filter_findings(findings(ctx) or [], page_views.finding_filters(request))
        name = "bevindingen.json" if language(request) == "nl" else "findings.json"
        return JSONResponse([f.as_dict() for f in selected], headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.api_route("/ui/sparql", methods=["GET", "POST"], response_class=HTMLResponse, include_in_schema=False)
    async def sparql_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        text = request.query_params.get("query", "")
        if request.method == "POST":  # the body is bounded by the BodyLimit middleware before it gets here
            form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
            text = (form.get("query") or [""])[0]
        return await run_in_threadpool(_sparql_page, request, ctx, text)


_FINDINGS: dict[str, Any] = {}


def findings(ctx: Context) -> list[Any] | None:
    """The SHACL findings of the store's current generation: validating takes a second or two, and the
    findings page is asked again for every filter and page, so they are kept until the next ingest."""
    store = ctx.store()
    key = str(getattr(store, "current", None) or id(store))
    if _FINDINGS.get("key") != key:
        found = validate(store)
        # Each document's municipality, so a policy adviser sees whose document a finding is about.
        towns = {page_views.document_key_of(r["file"], r["title"]): r["municipality"]
                 for r in views.rows(store, "documents") if r["municipality"]}
        _FINDINGS.clear()
        _FINDINGS.update(key=key, found=found, towns=towns)
    return _FINDINGS["found"]


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
