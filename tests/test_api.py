"""HTTP API on the real corpus: every endpoint, the SPARQL 1.1 Protocol, and bad input -> 4xx problem JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from beleidsgraaf.api.http import create_app
from tests.conftest import CORPUS

OSSENKOPPELERHOEK = "https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek"
PROBLEM = "application/problem+json"
WIJKEN = "PREFIX bg: <https://w3id.org/beleidsgraaf/def#> SELECT DISTINCT ?w WHERE { ?w a bg:Wijk } ORDER BY ?w"


@pytest.fixture(scope="module")
def client(corpus_store):
    _store, _report, location = corpus_store
    app = create_app(location, corpus_dirs=[str(CORPUS)], sparql_timeout=30, sparql_max_rows=5000)
    with TestClient(app) as c:
        yield c


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"], body
    return body


# -- SPARQL protocol --------------------------------------------------------------------------------
def wijken(rows: list[str]) -> set[str]:
    return {r for r in rows if r.startswith("https://w3id.org/beleidsgraaf/id/gebied/")}


def test_sparql_get_default_is_sparql_json(client):
    r = client.get("/sparql", params={"query": WIJKEN})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    found = {b["w"]["value"] for b in r.json()["results"]["bindings"]}
    assert OSSENKOPPELERHOEK in found and len(found) >= 10


def test_sparql_post_form_and_direct_body_give_the_same_rows(client):
    by_get = client.get("/sparql", params={"query": WIJKEN}).json()
    form = client.post("/sparql", content=f"query={quote(WIJKEN)}",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    direct = client.post("/sparql", content=WIJKEN.encode(), headers={"content-type": "application/sparql-query"})
    assert form.status_code == 200 and direct.status_code == 200
    assert form.json()["results"] == by_get["results"] == direct.json()["results"]


def test_sparql_result_formats_by_accept(client):
    xml = client.get("/sparql", params={"query": WIJKEN}, headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert OSSENKOPPELERHOEK in {u.text for u in ET.fromstring(xml.content).findall(".//s:uri", ns)}

    text_csv = client.get("/sparql", params={"query": WIJKEN}, headers={"accept": "text/csv"})
    assert text_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text_csv.text)))
    assert rows[0] == ["w"] and OSSENKOPPELERHOEK in wijken([r[0] for r in rows[1:]])

    tsv = client.get("/sparql", params={"query": WIJKEN}, headers={"accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert f"<{OSSENKOPPELERHOEK}>" in tsv.text.splitlines()[1:]

    ask = client.get("/sparql", params={"query": f"ASK {{ <{OSSENKOPPELERHOEK}> a ?t }}"})
    assert ask.json()["boolean"] is True


def test_sparql_construct_as_turtle_and_json_ld(client):
    query = f"CONSTRUCT {{ <{OSSENKOPPELERHOEK}> ?p ?o }} WHERE {{ <{OSSENKOPPELERHOEK}> ?p ?o }}"
    turtle = client.get("/sparql", params={"query": query}, headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "Ossenkopplerhoek" in turtle.text  # the altLabel travels with the ward
    jsonld = client.get("/sparql", params={"query": query}, headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert any(node.get("@id") == OSSENKOPPELERHOEK for node in jsonld.json())
    describe = client.get("/sparql", params={"query": f"DESCRIBE <{OSSENKOPPELERHOEK}>"}, headers={"accept": "text/turtle"})
    assert describe.status_code == 200 and "WK014108" in describe.text


def test_sparql_select_with_only_graph_types_accepted_is_406(client):
    problem(client.get("/sparql", params={"query": WIJKEN}, headers={"accept": "text/turtle"}), 406)


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x#> DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "DROP ALL",
])
def test_sparql_updates_are_refused(client, update):
    body = problem(client.get("/sparql", params={"query": update}), 403)
    assert "read-only" in body["detail"]
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    problem(client.post("/sparql", content=f"update={quote(update)}", headers=form_type), 403)
    problem(client.post("/sparql", content=update, headers={"content-type": "application/sparql-update"}), 403)


def test_sparql_service_is_refused_but_the_word_in_a_string_is_fine(client):
    problem(client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}), 403)
    ok = client.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("SERVICE and INSERT" AS ?x) }'})
    assert ok.status_code == 200 and ok.json()["results"]["bindings"][0]["x"]["value"] == "SERVICE and INSERT"


def test_sparql_bad_input_is_4xx_with_a_message(client):
    assert "malformed" in problem(client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o"}), 400)["detail"]
    problem(client.get("/sparql", params={"query": "   "}), 400)
    problem(client.post("/sparql", content=b"x", headers={"content-type": "text/plain"}), 415)
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 110_000
    problem(client.post("/sparql", content=big, headers={"content-type": "application/sparql-query"}), 413)


def test_sparql_timeout_stops_the_query_and_the_endpoint_recovers(corpus_store):
    _store, _report, location = corpus_store
    app = create_app(location, sparql_timeout=0.5, sparql_max_rows=10)
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with TestClient(app) as c:
        body = problem(c.get("/sparql", params={"query": cartesian}), 503)
        assert body["type"].endswith("/timeout") and "longer than" in body["detail"]
        # The killed worker is replaced: the next query is answered (the replacement's start-up does not
        # count against the query's deadline).
        after = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True


def test_sparql_row_cap(corpus_store):
    _store, _report, location = corpus_store
    app = create_app(location, sparql_timeout=30, sparql_max_rows=10)
    with TestClient(app) as c:
        body = problem(c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 11"}), 422)
        assert "more than 10 rows" in body["detail"]
        ok = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
        assert len(ok.json()["results"]["bindings"]) == 10


# -- SPARQL 1.1 Protocol in full: datasets, CORS, formats, service description, errors ----------------
CONTRACT = "https://w3id.org/beleidsgraaf/id/graph/almelo-2020-contract-wijksturing"
PLAN = "https://w3id.org/beleidsgraaf/id/graph/almelo-2023-plan-leefbare-wijken-en-dorpen"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PER_GRAPH = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
SD = "http://www.w3.org/ns/sparql-service-description#"


def count(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def graphs(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


@pytest.fixture(scope="module")
def sizes(corpus_store) -> dict[str, int]:
    store, _report, _location = corpus_store
    return {str(g): n for g, n in store.graph_sizes().items()}


def test_from_narrows_a_count_to_one_graph(client, sizes):
    everything = count(client.get("/sparql", params={"query": COUNT}))
    narrowed = count(client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{CONTRACT}> WHERE {{ ?s ?p ?o }}"}))
    assert narrowed == sizes[CONTRACT] and 0 < narrowed < everything
    two = f"SELECT (COUNT(*) AS ?n) FROM <{CONTRACT}> FROM <{PLAN}> WHERE {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", params={"query": two})) <= sizes[CONTRACT] + sizes[PLAN]
    # FROM alone leaves no named graphs (SPARQL 1.1 §13.2); FROM NAMED alone leaves the default graph empty.
    def run(query: str):
        return client.get("/sparql", params={"query": query})

    assert graphs(run(f"SELECT DISTINCT ?g FROM <{CONTRACT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")) == set()
    assert graphs(run(f"SELECT DISTINCT ?g FROM NAMED <{CONTRACT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")) == {CONTRACT}
    assert count(run(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{CONTRACT}> WHERE {{ ?s ?p ?o }}")) == 0
    # A prefixed name in FROM resolves with the server's and the query's prefixes.
    prefixed = ("PREFIX g: <https://w3id.org/beleidsgraaf/id/graph/>\n"
                "SELECT (COUNT(*) AS ?n) FROM g:almelo-2020-contract-wijksturing WHERE { ?s ?p ?o }")
    assert count(client.get("/sparql", params={"query": prefixed})) == sizes[CONTRACT]


def test_default_graph_uri_narrows_a_count_and_overrides_from(client, sizes):
    by_get = client.get("/sparql", params={"query": COUNT, "default-graph-uri": CONTRACT})
    assert count(by_get) == sizes[CONTRACT]
    form = client.post("/sparql", data={"query": COUNT, "default-graph-uri": CONTRACT})
    direct = client.post("/sparql", params={"default-graph-uri": CONTRACT}, content=COUNT,
                         headers={"content-type": "application/sparql-query"})
    assert count(form) == count(direct) == sizes[CONTRACT]
    two = client.get("/sparql", params=[("query", COUNT), ("default-graph-uri", CONTRACT), ("default-graph-uri", PLAN)])
    assert sizes[CONTRACT] < count(two) <= sizes[CONTRACT] + sizes[PLAN]
    # The protocol's dataset replaces the query's (SPARQL 1.1 Protocol §2.1.4).
    overridden = "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }"
    assert count(client.get("/sparql", params={"query": overridden, "default-graph-uri": CONTRACT})) == sizes[CONTRACT]
    problem(client.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"}), 400)


def test_named_graph_uri_limits_graph_patterns(client, sizes):
    assert len(graphs(client.get("/sparql", params={"query": PER_GRAPH}))) == len(sizes) > 2
    only = client.get("/sparql", params={"query": PER_GRAPH, "named-graph-uri": CONTRACT})
    assert graphs(only) == {CONTRACT}
    both = client.get("/sparql", params=[("query", PER_GRAPH), ("named-graph-uri", CONTRACT), ("named-graph-uri", PLAN)])
    assert graphs(both) == {CONTRACT, PLAN}
    # named-graph-uri alone makes the default graph empty, and overrides FROM NAMED.
    assert count(client.get("/sparql", params={"query": COUNT, "named-graph-uri": CONTRACT})) == 0
    query = f"SELECT DISTINCT ?g FROM NAMED <{PLAN}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert graphs(client.get("/sparql", params={"query": query, "named-graph-uri": CONTRACT})) == {CONTRACT}


def test_cors_preflight_from_another_origin_is_answered(client):
    preflight = client.options("/sparql", headers={"origin": "https://elsewhere.example", "access-control-request-method": "POST",
                                                   "access-control-request-headers": "content-type, accept"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert {"content-type", "accept"} <= {h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert int(preflight.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in preflight.headers  # no cookies or auth: '*' without credentials
    origin = {"origin": "https://elsewhere.example"}
    assert client.get("/sparql", params={"query": "ASK {}"}, headers=origin).headers["access-control-allow-origin"] == "*"
    posted = client.post("/sparql", content="ASK {}", headers={**origin, "content-type": "application/sparql-query"})
    assert posted.headers["access-control-allow-origin"] == "*"
    refused = client.get("/sparql", params={"query": "DROP ALL"}, headers=origin)  # errors are readable cross-origin too
    assert refused.status_code == 403 and refused.headers["access-control-allow-origin"] == "*"
    plain = client.options("/sparql")
    assert plain.status_code == 204 and "POST" in plain.headers["allow"]
    # Only the read-only endpoint: the pages and the JSON API stay same-origin.
    assert "access-control-allow-origin" not in client.get("/wards", headers=origin).headers


def test_unknown_parameters_and_format_values_are_tolerated(client):
    # SPARQLWrapper sends format=, output= and results=, and for TSV a second format= with the media type.
    wrapper = client.get("/sparql", params=[("query", WIJKEN), ("format", "tsv"), ("format", "text/tab-separated-values"),
                                            ("output", "tsv"), ("results", "tsv")])
    assert wrapper.status_code == 200 and wrapper.headers["content-type"].startswith("text/tab-separated-values")
    unknown = client.get("/sparql", params={"query": WIJKEN, "format": "pdf", "timeout": "0", "debug": "on", "x": "1"},
                         headers={"accept": "text/csv"})
    assert unknown.status_code == 200 and unknown.headers["content-type"].startswith("text/csv")  # Accept decides
    form = client.post("/sparql", data={"query": WIJKEN, "format": "csv", "output": "csv", "nonsense": "yes"})
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/csv")
    construct = f"CONSTRUCT {{ <{OSSENKOPPELERHOEK}> ?p ?o }} WHERE {{ <{OSSENKOPPELERHOEK}> ?p ?o }}"
    for value, media in (("json-ld", "application/ld+json"), ("n3", "text/turtle"), ("rdf+xml", "application/rdf+xml")):
        r = client.get("/sparql", params={"query": construct, "format": value})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), (value, r.headers)
    assert "query;dur=" in wrapper.headers["server-timing"]


def test_get_sparql_without_a_query_describes_the_service(client):
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    sd = Namespace(SD)
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                        (None, "turtle")):
        r = client.get("/sparql", headers={"accept": accept} if accept else {})
        assert r.status_code == 200, r.text
        if accept:
            assert r.headers["content-type"].startswith(accept)
        graph = Graph().parse(data=r.text, format=fmt)
        (service,) = graph.subjects(RDF.type, sd.Service)
        assert graph.value(service, sd.endpoint) == URIRef("http://testserver/sparql")
        assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
        assert (service, sd.feature, sd.UnionDefaultGraph) in graph
        formats = {str(f).rsplit("/", 1)[-1] for f in graph.objects(service, sd.resultFormat)}
        assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                "JSON-LD"} <= formats
        names = {str(n) for n in graph.objects(None, sd.name)}
        assert CONTRACT in names and PLAN in names
    browser = client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")
    assert 'id="sparql-form"' in browser.text and "efforts-in-ward" in browser.text  # the editor, with examples


def test_ask_in_csv_and_tsv(client):
    yes, no = f"ASK {{ <{OSSENKOPPELERHOEK}> ?p ?o }}", "ASK { <urn:nothing> ?p ?o }"
    for query, value in ((yes, "true"), (no, "false")):
        as_csv = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_csv.content == f"_askResult\r\n{value}\r\n".encode()
        as_tsv = client.get("/sparql", params={"query": query}, headers={"accept": "text/tab-separated-values"})
        assert as_tsv.headers["content-type"].startswith("text/tab-separated-values")
        assert as_tsv.content == f"?_askResult\n{value}\n".encode()


@pytest.mark.parametrize(("query", "line", "column", "words"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", 1, 21, "'foo:' is not declared"),  # the engine's parser
    ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", 1, 41, "unbound"),
    ("SELECT *\nWHERE {\n  ?s nope:x ?o\n}", 3, 6, "'nope:' is not declared"),
    ("SELEKT * WHERE { ?s ?p ?o }", 1, 1, "Expected"),  # the guard's parser
    ("SELECT *\nWHERE { ?s ?p ?o FILTER(?o > ) }", 2, None, "Expected"),
])
def test_syntax_errors_are_positioned_in_the_users_own_query(client, query, line, column, words):
    for response in (client.get("/sparql", params={"query": query}),
                     client.post("/sparql", content=query, headers={"content-type": "application/sparql-query"})):
        body = problem(response, 400)
        assert body["line"] == line and f"line {line}," in body["detail"], body
        if column is not None:
            assert body["column"] == column, body
        assert words in body["detail"], body
        assert body["excerpt"] == query.split("\n")[line - 1]


def remote_references(html: str) -> list[str]:
    """Every src/href in the page that names a scheme or host (so would be fetched from elsewhere)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                remote = value and (value.startswith("//") or ":" in value.split("/")[0])
                if name in ("src", "href") and remote and not value.startswith("data:"):
                    found.append(f"{tag} {name}={value}")

    Refs().feed(html)
    return found


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_reference_no_remote_host_and_their_assets_are_served(client, path):
    from html.parser import HTMLParser

    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert remote_references(page.text) == []
    assert "cdn." not in page.text and "googleapis" not in page.text
    assets: list[str] = []

    class Assets(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "script":
                assert attrs.get("src"), "no inline script on the docs pages"
                assets.append(attrs["src"])
            if tag == "link" and attrs.get("rel") == "stylesheet":
                assets.append(attrs["href"])

    Assets().feed(page.text)
    assert any("/static/vendor/" in a for a in assets), assets
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset
    csp = page.headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self';" in csp and "connect-src 'self'" in csp
    assert client.get("/openapi.json").status_code == 200


def test_vendored_files_carry_their_licence_and_origin():
    from tests.conftest import ROOT

    vendor = ROOT / "api" / "static" / "vendor"
    readme = (vendor / "README.md").read_text()
    for folder, package in (("yasqe", "@zazuko/yasqe"), ("swagger-ui", "swagger-ui-dist"), ("redoc", "redoc")):
        assert (vendor / folder / "LICENSE").is_file(), folder
        assert package in readme, package


def test_openapi_describes_every_endpoint_with_examples_and_a_response_model(client):
    spec = client.get("/openapi.json").json()
    missing = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            if not op.get("summary") or not op.get("description"):
                missing.append(f"{where}: summary/description")
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                if not (param.get("description") or schema.get("description")):
                    missing.append(f"{where} {param['name']}: description")
                if not (param.get("example") is not None or param.get("examples") or schema.get("examples")
                        or param["name"] in ("default-graph-uri", "named-graph-uri") and method == "post"):
                    missing.append(f"{where} {param['name']}: example")
            ok = op["responses"].get("200", {}).get("content", {})
            if not ok or not all(media.get("schema") or media.get("example") is not None or media.get("examples")
                                 for media in ok.values()):
                missing.append(f"{where}: 200 response model or example")
    assert not missing, missing
    assert spec["paths"]["/wards/{name}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "WardDetail" in spec["components"]["schemas"] and "Din" in spec["components"]["schemas"]
    for status in ("400", "404", "503"):  # errors keep their problem+json schema
        assert "application/problem+json" in spec["paths"]["/ask"]["get"]["responses"][status]["content"]


# -- named queries --------------------------------------------------------------------------------
def test_queries_catalogue_lists_parameters(client):
    catalogue = {q["name"]: q for q in client.get("/queries").json()}
    assert {"wards", "programmes", "describe-resource", "efforts-in-ward"} <= set(catalogue)
    ward_param = catalogue["efforts-in-ward"]["parameters"][0]
    assert ward_param["name"] == "ward" and ward_param["type"] == "iri"
    assert catalogue["wards"]["nl"] and catalogue["wards"]["en"]


def test_named_query_runs_with_bound_parameter_in_each_format(client):
    r = client.get("/queries/ward-buurten", params={"ward": OSSENKOPPELERHOEK})
    labels = {b["label"]["value"] for b in r.json()["results"]["bindings"]}
    assert {"Beeklust", "Boomsplaats"} <= labels
    text_csv = client.get("/queries/ward-buurten", params={"ward": OSSENKOPPELERHOEK}, headers={"accept": "text/csv"})
    assert "Beeklust" in text_csv.text
    graph = client.get("/queries/describe-resource", params={"resource": OSSENKOPPELERHOEK},
                       headers={"accept": "text/turtle"})
    assert "WK014108" in graph.text


def test_named_query_bad_input(client):
    problem(client.get("/queries/no-such-query"), 404)
    problem(client.get("/queries/ward-buurten"), 422)  # missing parameter
    problem(client.get("/queries/ward-buurten", params={"ward": "not an iri"}), 422)
    problem(client.get("/queries/ward-buurten", params={"ward": OSSENKOPPELERHOEK, "x": "1"}), 422)


# -- wards and programmes -------------------------------------------------------------------------
def test_wards_list(client):
    wards = client.get("/wards", params={"limit": 1000}).json()["items"]
    by_name = {w["name"]: w for w in wards}
    assert by_name["Ossenkoppelerhoek"]["kind"] == "Wijk"
    assert by_name["Ossenkoppelerhoek"]["aliases"] == ["Ossenkopplerhoek"]
    assert by_name["Beeklust"]["parent"] == OSSENKOPPELERHOEK


@pytest.mark.parametrize("name", ["Ossenkoppelerhoek", "OSSENKOPPELERHOEK", "Ossenkopplerhoek", " ossenkoppelerhoek "])
def test_ward_resolves_by_label_case_alias_and_iri(client, name):
    ward = client.get(f"/wards/{name}").json()
    assert ward["iri"] == OSSENKOPPELERHOEK
    assert {"Beeklust", "Boomsplaats"} <= {p["name"] for p in ward["parts"]}
    assert set(ward["efforts"]) == {"targeted", "citywide"}


def test_a_buurt_named_in_two_documents_is_listed_once(client):
    parts = client.get("/wards/Nieuwstraatkwartier").json()["parts"]
    assert [p["name"] for p in parts].count("Nieuwstraat en omgeving") == 1
    assert len({p["iri"] for p in parts}) == len(parts) == 4


def test_ward_efforts_carry_sources(client):
    ward = client.get("/wards/Nieuwstraatkwartier").json()
    targeted = ward["efforts"]["targeted"]
    assert targeted, "the Nieuwstraatkwartier contract targets efforts at the ward"
    for effort in targeted:
        assert effort["sources"], effort
        source = effort["sources"][0]
        assert source["document"] == "almelo-2019-programmacontracten.txt" and source["lines"][0] > 0


def test_unknown_ward_is_404_with_suggestions(client):
    body = problem(client.get("/wards/Ossenkopelerhoekk"), 404)
    assert "Ossenkoppelerhoek" in body["suggestions"]
    body = problem(client.get("/wards/Atlantis"), 404)
    assert "Atlantis" in body["detail"]


def test_programmes_and_din(client):
    programmes: dict = {}
    for p in client.get("/programmes").json()["items"]:  # names repeat across municipalities (Duurzaamheid in Utrecht too)
        if p["nodes"] >= programmes.get(p["name"], {"nodes": -1})["nodes"]:
            programmes[p["name"]] = p
    assert programmes["Duurzaamheid"]["nodes"] > 10
    din = client.get("/programmes/duurzaamheid").json()
    kinds = {n["kind"] for n in din["nodes"]}
    assert "Visie" in kinds and "StrategischDoel" in kinds
    ids = {n["iri"] for n in din["nodes"]}
    assert din["edges"] and all(e["from"] in ids and e["to"] in ids for e in din["edges"])
    assert all(n["sources"][0]["lines"][0] > 0 for n in din["nodes"] if n["sources"])
    problem(client.get("/programmes/Quidditch"), 404)


# -- resources and documents ----------------------------------------------------------------------
def test_resource_content_negotiation(client):
    path = "/resource/gebied/almelo/ossenkoppelerhoek"
    turtle = client.get(path, headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "WK014108" in turtle.text
    assert "beginRegel" in turtle.text  # provenance comes along
    jsonld = client.get(path, headers={"accept": "application/ld+json"})
    assert any(n.get("@id") == OSSENKOPPELERHOEK for n in jsonld.json())
    html = client.get(path, headers={"accept": "text/html,application/xhtml+xml"})
    assert html.headers["content-type"].startswith("text/html") and "Ossenkopplerhoek" in html.text
    assert "/documents/" in html.text
    problem(client.get("/resource/gebied/almelo/atlantis"), 404)


def test_document_lines_json_and_html(client):
    ward = client.get("/wards/Nieuwstraatkwartier").json()
    source = ward["efforts"]["targeted"][0]["sources"][0]
    first, last = source["lines"]
    doc = client.get(f"/documents/{source['document']}", params={"from": first, "to": last}).json()
    assert doc["lines"] == [first, last]
    quoted = source["quote"].strip().rstrip(";")
    assert quoted[:20] in " ".join(line["text"] for line in doc["text"])
    html = client.get(f"/documents/{source['document']}", params={"from": first, "to": last}, headers={"accept": "text/html"})
    assert f'id="L{first}" class="line hl"' in html.text


def test_document_bad_input(client):
    problem(client.get("/documents/secret.txt"), 404)
    problem(client.get("/documents/..%2F..%2Fetc%2Fpasswd"), 404)
    problem(client.get("/documents/almelo-2020-contract-wijksturing.txt", params={"from": 10, "to": 5}), 422)
    problem(client.get("/documents/almelo-2020-contract-wijksturing.txt", params={"from": 999999}), 422)
    problem(client.get("/documents/almelo-2020-contract-wijksturing.txt", params={"from": "abc"}), 422)


# -- questions and findings -----------------------------------------------------------------------
def test_ask_and_search_reject_empty_and_huge_input(client):
    for path in ("/ask", "/search"):
        problem(client.get(path, params={"q": ""}), 400)
        problem(client.get(path), 400)
        assert "limit" in problem(client.get(path, params={"q": "wijk " * 2000}), 422)["detail"]
    problem(client.get("/search", params={"q": "wijk", "k": 0}), 422)


def test_ask_returns_the_answer_contract(client):
    r = client.get("/ask", params={"q": "Welke lijnprojecten raken Ossenkoppelerhoek?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"question", "intent", "answer", "answers", "passages", "sparql"} <= set(body)
    assert body["question"] == "Welke lijnprojecten raken Ossenkoppelerhoek?" and body["answer"]


def test_search_returns_cited_passages(client):
    r = client.get("/search", params={"q": "wijkregisseur Ossenkoppelerhoek", "k": 3})
    assert r.status_code == 200, r.text
    passages = r.json()["passages"]
    assert 0 < len(passages) <= 3
    assert all(p["document"].endswith(".txt") and p["lines"][0] > 0 for p in passages)


def test_afstemming_report(client):
    r = client.get("/wards/ossenkopplerhoek/afstemming")
    assert r.status_code == 200, r.text
    assert "Ossenkoppelerhoek" in json.dumps(r.json(), ensure_ascii=False)
    problem(client.get("/wards/Atlantis/afstemming"), 404)


def test_validate_lists_findings(client):
    r = client.get("/validate")
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["items"], list) and r.json()["total"] >= len(r.json()["items"])


# -- the web page ---------------------------------------------------------------------------------
def test_pages_render_in_dutch_and_english(client):
    home = client.get("/")
    assert home.status_code == 200 and 'lang="nl"' in home.text and "Stel een vraag" in home.text
    english = client.get("/?lang=en")
    assert 'lang="en"' in english.text and "Ask a question" in english.text
    ward = client.get("/ui/wards/Ossenkoppelerhoek")
    assert ward.status_code == 200 and "Beeklust" in ward.text
    din = client.get("/ui/programmes/Duurzaamheid")
    assert "<svg" in din.text and "/documents/almelo-2019-programmacontracten.txt?from=" in din.text
    for path in ("/ui/wards", "/ui/programmes", "/ui/findings", "/ui/sparql"):
        assert client.get(path).status_code == 200, path
    missing = client.get("/ui/wards/Atlantis")
    assert missing.status_code == 404 and "Atlantis" in missing.text


def test_sparql_editor_runs_a_query_and_shows_errors(client):
    ok = client.post("/ui/sparql", data={"query": WIJKEN})
    assert ok.status_code == 200 and OSSENKOPPELERHOEK in ok.text
    bad = client.post("/ui/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert bad.status_code == 403 and "read-only" in bad.text  # the page keeps the endpoint's status
    assert "efforts-in-ward" in client.get("/ui/sparql").text  # named queries offered as examples


def test_openapi_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/ask", "/search", "/sparql", "/wards/{name}", "/programmes/{name}", "/resource/{path}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


# -- ward, programme, list and findings pages (issue 14) ------------------------------------------
UTRECHT_BINNENSTAD = "https://w3id.org/beleidsgraaf/id/gebied/utrecht/binnenstad"
NL = {"lang": "nl"}  # the client keeps the language cookie an earlier test set


def test_afstemming_splits_targeted_citywide_and_unknown_scope_with_rules(client):
    report = client.get("/wards/Nieuwstraatkwartier/afstemming").json()
    assert report["municipality"]["name"] == "Almelo"
    assert [s["scope"] for s in report["scopes"]] == ["gericht", "stadsbreed", "onbekend"]
    counts = report["counts"]
    assert counts["gericht"] > 0 and counts["stadsbreed"] > 0
    assert counts["onbekend"] > 100, "the efforts whose documents name no ward are shown, not dropped"
    unknown = report["scopes"][2]
    assert unknown["uncertain"] and unknown["count"] == counts["onbekend"]
    targeted = report["scopes"][0]
    steering = {g["steering"]: g for g in targeted["steering"]}
    assert {"lijnsturing", "programmasturing"} <= set(steering)
    kinds = {o["owner_kind"] for g in targeted["steering"] for o in g["owners"]}
    assert {"unit", "programme"} <= kinds  # line units and programmes both own efforts that land here
    rules = {r["iri"]: r for r in report["rules"] + report["programme_rules"]}
    line = steering["lijnsturing"]["owners"][0]
    assert line["rules"] and all(iri in rules for iri in line["rules"])
    who = {role for iri in line["rules"] for role in rules[iri]["coordinate_with"]}
    assert "wijkregisseur" in who  # the line coordinates with the ward director, per a cited rule
    for effort in line["efforts"]:
        assert effort["document"] and effort["evidence"][0]["lines"][0] > 0
    # Indicator-table cells are no effort, in the report as in the DIN.
    labels = {e["effort"] for s in report["scopes"] for g in s["steering"] for o in g["owners"] for e in o["efforts"]}
    assert not labels & {"1.000", "(2018)", "(jaartal)", "2019 2020 2021 2022 Bron"}


def test_namesakes_are_two_pages_and_two_reports_by_iri_path(client):
    utrecht = client.get("/wards/utrecht/binnenstad/afstemming").json()
    assert utrecht["iri"] == UTRECHT_BINNENSTAD and utrecht["municipality"]["name"] == "Utrecht"
    assert not utrecht["rules"], "Almelo's coordination rules bind nobody in Utrecht"
    assert client.get("/wards/utrecht/binnenstad").json()["iri"] == UTRECHT_BINNENSTAD
    almelo = client.get("/ui/wards/almelo/binnenstad", params=NL)
    utrecht_page = client.get("/ui/wards/utrecht/binnenstad", params=NL)
    assert almelo.status_code == utrecht_page.status_code == 200
    assert "gemeente Almelo" in almelo.text and "gemeente Utrecht" in utrecht_page.text
    assert 'href="/ui/wards/utrecht/binnenstad"' in almelo.text  # the namesake is linked
    assert client.get("/ui/wards", params={"iri": UTRECHT_BINNENSTAD, **NL}).text.count("gemeente Utrecht") >= 1
    listing = client.get("/ui/wards").text
    assert 'href="/ui/wards/almelo/binnenstad"' in listing and 'href="/ui/wards/utrecht/binnenstad"' in listing
    programmes = client.get("/ui/programmes").text
    assert 'href="/ui/programmes/almelo/duurzaamheid"' in programmes
    assert 'href="/ui/programmes/utrecht/duurzaamheid"' in programmes
    assert client.get("/programmes/utrecht/duurzaamheid").json()["iri"].endswith("/utrecht/duurzaamheid")


def _effort_rows_of_the_report(report: dict) -> list[tuple[str, str, str | None, str]]:
    return [(scope["scope"], group["steering"], owner["owner"], " ".join(effort["effort"].split()))
            for scope in report["scopes"] for group in scope["steering"] for owner in group["owners"]
            for effort in owner["efforts"]]


def _effort_rows_of_the_page(html: str) -> list[tuple[str, str, str | None, str]]:
    from lxml import html as lxml_html

    rows = []
    for section in lxml_html.fromstring(html).xpath('//section[@data-scope]'):
        scope = section.get("data-scope")
        for group in section.xpath('.//details[contains(@class, "steering")]'):
            steering = group.get("id").removeprefix(f"s-{scope}-")
            for owner in group.xpath('.//div[@class="owner"]'):
                heading = owner.xpath("./h3")[0]
                named = heading.xpath("./a") or ([heading] if heading.xpath("./small") else [])
                name = (named[0].text or "").strip() if named else None
                rows += [(scope, steering, name, " ".join(a.text_content().split()))
                         for a in owner.xpath('.//a[@class="effort-name"]')]
    return rows


def _effort_rows_of_the_cli(text: str, language: str) -> list[tuple[str, str, str | None, str]]:
    """The CLI's text read back by its indentation: scope (0), steering (2), owner (4), effort (6, "• ")."""
    from beleidsgraaf.api.messages import MESSAGES

    def said(key: str) -> str:
        return MESSAGES[key][("nl", "en").index(language)]

    scopes = {said(f"afstemming.scope.{k}").split(" ({n})")[0]: k for k in ("gericht", "stadsbreed", "onbekend")}
    steerings = {said(f"steering.{k}").capitalize(): k
                 for k in ("lijnsturing", "programmasturing", "wijksturing", "onbekend")}
    heading = re.compile(r"^(.*) \((\d+)\)$")
    rows: list[list] = []
    scope = steering = owner = None
    reading = False  # whether an indented line continues an effort
    for raw in text.splitlines():
        indent, body = len(raw) - len(raw.lstrip(" ")), raw.strip()
        found = heading.match(body)
        if indent == 0 and body:
            scope = scopes.get(found.group(1)) if found else None
            reading = False
        elif scope is None or not body:
            continue
        elif indent == 2 and found:
            steering, reading = steerings[found.group(1)], False
        elif indent == 4 and found:
            name = found.group(1).rsplit(" · ", 1)[0]
            owner, reading = (None if name == said("afstemming.no_owner").capitalize() else name), False
        elif indent == 6:
            reading = body.startswith("• ")
            if reading:
                rows.append([scope, steering, owner, body[2:]])
        elif indent == 8 and reading:
            rows[-1][3] += " " + body
    return [(a, b, c, re.sub(r" \[[^\[\]]*\]$", "", text)) for a, b, c, text in rows]


@pytest.mark.parametrize("ward, path", [("Nieuwstraatkwartier", "almelo/nieuwstraatkwartier"),
                                        ("Sluitersveld", "almelo/sluiterseveld")])
def test_the_page_the_api_and_the_cli_show_the_same_afstemming(client, corpus_store, ward, path):
    """Same efforts in the same groups (scope, steering principle, owner) in all three, the efforts of unknown
    scope included and marked uncertain."""
    import os
    import subprocess
    import sys

    report = client.get(f"/wards/{path}/afstemming").json()
    expected = _effort_rows_of_the_report(report)
    assert {row[0] for row in expected} >= {"stadsbreed", "onbekend"}
    page = client.get(f"/ui/wards/{path}", params={"all": "1", **NL})
    assert page.status_code == 200
    assert _effort_rows_of_the_page(page.text) == expected
    env = {**os.environ, "COLUMNS": "80", "BELEIDSGRAAF_LANG": "nl"}
    run = subprocess.run([sys.executable, "-m", "beleidsgraaf", "afstemming", ward, "--store", corpus_store[2]],
                         capture_output=True, text=True, env=env, check=False, timeout=300)
    assert run.returncode == 0, run.stderr
    assert _effort_rows_of_the_cli(run.stdout, "nl") == expected
    assert "(onzeker)" in run.stdout.splitlines()[1] and "Bereik onbekend, onzeker" in run.stdout
    assert all(len(line) <= 80 for line in run.stdout.splitlines())


def test_findings_page_names_each_documents_municipality(client):
    html = client.get("/ui/findings", params=NL).text
    assert 'Wijkgericht werken <small class="town">Utrecht</small>' in html
    assert 'Programmacontract Zorg <small class="town">Almelo</small>' in html
    assert "Programmacontract Zorg (Almelo) · " in html  # in the document filter too


def test_ward_page_counts_first_then_groups_with_rules_and_lines(client):
    page = client.get("/ui/wards/almelo/nieuwstraatkwartier", params=NL)
    assert page.status_code == 200
    html = page.text
    assert html.index('id="afstemming-counts"') < html.index('id="scope-gericht"') < html.index('id="scope-onbekend"')
    assert 'data-scope="onbekend"' in html and "Bereik onbekend" in html and "onzeker" in html
    assert "<details" in html and "stemt af met de wijkregisseur" in html
    assert "/documents/almelo-2020-contract-wijksturing.txt?from=" in html  # a rule's lines
    assert "/documents/almelo-2019-programmacontracten.txt?from=" in html  # an effort's lines
    assert "owner_kind" not in html and "programmasturing</" not in html  # words, not field names
    # Long groups are paged; each group has its own page parameter, and ?all=1 shows everything.
    nxt = re.search(r'href="([^"]*p-o-[0-9a-f]{8}=2#o-[0-9a-f]{8})"', html)
    assert nxt, "a long owner group has a next page"
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and "11–" in second.text
    full = client.get("/ui/wards/almelo/nieuwstraatkwartier", params={"all": "1", **NL}).text
    assert full.count('<li>') > html.count('<li>') and "p-o-" not in full
    english = client.get("/ui/wards/almelo/nieuwstraatkwartier", params={"lang": "en"}).text
    assert "Scope unknown" in english and "coordinates with the ward director" in english


def test_programme_page_shows_municipality_budgets_actors_wards_and_no_table_cells(client):
    html = client.get("/ui/programmes/almelo/duurzaamheid", params=NL).text
    assert "gemeente Almelo" in html and 'id="budgets"' in html and 'id="actors"' in html and 'id="places"' in html
    assert "€ 200.000" in html and "S. Benayad" in html
    assert 'href="/ui/wards/almelo/binnenstad"' in html
    din = client.get("/programmes/almelo/duurzaamheid").json()
    names = {n["name"] for n in din["nodes"]}
    assert not names & {"1.000", "3.000", "(2018)", "(2017)", "(jaartal)", "2019 2020 2021 2022 Bron"}
    assert len(din["nodes"]) > 40
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert ">1.000<" not in svg and ">(2018)<" not in svg


def test_findings_page_counts_filters_and_downloads(client):
    html = client.get("/ui/findings", params=NL).text
    total = int(re.search(r'id="findings-shown">(\d+)<', html).group(1))
    assert total > 100 and "Programmacontract Zorg" in html and "InspanningShape" not in html.split("<form")[0]
    assert "Een … draagt niet bij aan een" in html  # checks named by their message, not their id
    violations = client.get("/ui/findings", params={"severity": "violation", **NL}).text
    shown = int(re.search(r'id="findings-shown">(\d+)<', violations).group(1))
    assert 0 < shown < total
    document = "almelo-2019-programmacontracten.txt#Programmacontract Zorg"
    params = {"severity": "violation", "document": document, **NL}
    zorg = client.get("/ui/findings", params=params).text
    assert int(re.search(r'id="findings-shown">(\d+)<', zorg).group(1)) < shown
    assert "/documents/almelo-2019-programmacontracten.txt?from=" in zorg
    rows = list(csv.reader(io.StringIO(client.get("/ui/findings.csv", params=params).text)))
    assert rows[0][:2] == ["ernst", "melding"] and len(rows) > 1 and {r[0] for r in rows[1:]} == {"violation"}
    assert {r[3] for r in rows[1:]} == {"Programmacontract Zorg"}
    data = client.get("/ui/findings.json", params=params).json()
    assert len(data) == len(rows) - 1 and all(f["document_title"] == "Programmacontract Zorg" for f in data)
    english = client.get("/ui/findings", params={"severity": "violation", "lang": "en"}).text
    assert "A … contributes to no" in english or "contributes to no" in english
    assert client.get("/ui/findings.csv", params={"lang": "en"}).text.startswith("severity,message")
