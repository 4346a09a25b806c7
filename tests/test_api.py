"""HTTP API on the real corpus: every endpoint, the SPARQL 1.1 Protocol, and bad input -> 4xx problem JSON."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from beleidsgraaf.api.http import create_app
from tests.conftest import CORPUS

OSSENKOPPELERHOEK = "https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek"
PROBLEM = "application/problem+json"
WIJKEN = "PREFIX bg: <https://w3id.org/beleidsgraaf/def#> SELECT DISTINCT ?w WHERE { ?w a bg:Wijk } ORDER BY ?w"


def has(module: str) -> bool:
    try:
        return importlib.util.find_spec(f"beleidsgraaf.{module}") is not None
    except ModuleNotFoundError:
        return False


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
    problem(client.get("/sparql"), 400)
    problem(client.post("/sparql", content=b"x", headers={"content-type": "text/plain"}), 415)
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 110_000
    problem(client.post("/sparql", content=big, headers={"content-type": "application/sparql-query"}), 413)
    problem(client.get("/sparql", params={"query": WIJKEN, "format": "pdf"}), 400)


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
    wards = client.get("/wards").json()
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
    for p in client.get("/programmes").json():  # names repeat across municipalities (Duurzaamheid in Utrecht too)
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


@pytest.mark.skipif(not has("queries.answer"), reason="queries.answer (issue 5) is not built yet")
def test_ask_returns_the_answer_contract(client):
    r = client.get("/ask", params={"q": "Welke lijnprojecten raken Ossenkoppelerhoek?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"question", "intent", "answer", "answers", "passages", "sparql"} <= set(body)
    assert body["question"] == "Welke lijnprojecten raken Ossenkoppelerhoek?" and body["answer"]


@pytest.mark.skipif(not has("queries.search"), reason="queries.search (issue 5) is not built yet")
def test_search_returns_cited_passages(client):
    r = client.get("/search", params={"q": "wijkregisseur Ossenkoppelerhoek", "k": 3})
    assert r.status_code == 200, r.text
    passages = r.json()["passages"]
    assert 0 < len(passages) <= 3
    assert all(p["document"].endswith(".txt") and p["lines"][0] > 0 for p in passages)


@pytest.mark.skipif(not has("queries.reports"), reason="queries.reports (issue 5) is not built yet")
def test_afstemming_report(client):
    r = client.get("/wards/ossenkopplerhoek/afstemming")
    assert r.status_code == 200, r.text
    assert "Ossenkoppelerhoek" in json.dumps(r.json(), ensure_ascii=False)
    problem(client.get("/wards/Atlantis/afstemming"), 404)


@pytest.mark.skipif(not has("shapes.findings"), reason="shapes.findings (SHACL issue) is not built yet")
def test_validate_lists_findings(client):
    r = client.get("/validate")
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)


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
