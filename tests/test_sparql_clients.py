"""The SPARQL endpoint against clients nobody here wrote: SPARQLWrapper, rdflib's SPARQLStore and curl, on a
live server (uvicorn on 127.0.0.1, a free port) over the shared corpus store.

Each client speaks the protocol its own way (SPARQLWrapper repeats the format as format=, output= and
results=, and sends Accept lists of its own; SPARQLStore sends default-graph-uri for a graph with an
identifier; curl sends what it is told), so these catch what the in-process tests cannot.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from beleidsgraaf.api.http import create_app
from tests.conftest import CORPUS

BG = "https://w3id.org/beleidsgraaf/def#"
OSSENKOPPELERHOEK = URIRef("https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek")
CONTRACT = URIRef("https://w3id.org/beleidsgraaf/id/graph/almelo-2020-contract-wijksturing")
WIJKEN = f"PREFIX bg: <{BG}> SELECT ?w ?label WHERE {{ ?w a bg:Wijk ; rdfs:label ?label }} ORDER BY ?w"
CONSTRUCT = f"CONSTRUCT {{ <{OSSENKOPPELERHOEK}> ?p ?o }} WHERE {{ <{OSSENKOPPELERHOEK}> ?p ?o }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK = f"ASK {{ <{OSSENKOPPELERHOEK}> ?p ?o }}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(corpus_store) -> Iterator[str]:
    import uvicorn

    _store, _report, location = corpus_store
    app = create_app(location, corpus_dirs=[str(CORPUS)], sparql_timeout=60, sparql_max_rows=5000)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/sparql"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def contract_size(corpus_store) -> int:
    store, _report, _location = corpus_store
    return store.graph_sizes()[CONTRACT]


def wrapper(endpoint: str, query: str, return_format: str, method: str = "GET"):  # noqa: ANN201
    from SPARQLWrapper import SPARQLWrapper as Client

    client = Client(endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client


def converted(client):  # noqa: ANN001, ANN201
    """The client's own conversion, with no warning: SPARQLWrapper warns when the media type it got is not the
    one it asked for, or one it does not know."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = client.query()
        value = result.convert()
    complaints = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not complaints, complaints
    return result, value


def wijken_from_json(value: dict) -> set[str]:
    return {b["w"]["value"] for b in value["results"]["bindings"]}


# -- SPARQLWrapper: every return format ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_results_format(endpoint, method):
    from SPARQLWrapper import CSV, JSON, TSV, XML

    _, as_json = converted(wrapper(endpoint, WIJKEN, JSON, method))
    expected = wijken_from_json(as_json)
    assert str(OSSENKOPPELERHOEK) in expected and len(expected) > 10

    result, as_xml = converted(wrapper(endpoint, WIJKEN, XML, method))
    assert result.response.headers["content-type"].startswith("application/sparql-results+xml")
    uris = {node.firstChild.data for node in as_xml.getElementsByTagName("uri")}
    assert uris == expected

    result, as_csv = converted(wrapper(endpoint, WIJKEN, CSV, method))
    lines = as_csv.decode().splitlines()
    assert lines[0] == "w,label" and {line.split(",")[0] for line in lines[1:]} == expected

    result, as_tsv = converted(wrapper(endpoint, WIJKEN, TSV, method))
    lines = as_tsv.decode().splitlines()
    assert lines[0] == "?w\t?label" and {line.split("\t")[0].strip("<>") for line in lines[1:]} == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_ask_in_every_results_format(endpoint, method):
    from SPARQLWrapper import CSV, JSON, TSV, XML

    assert converted(wrapper(endpoint, ASK, JSON, method))[1]["boolean"] is True
    xml = converted(wrapper(endpoint, ASK, XML, method))[1]
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert converted(wrapper(endpoint, ASK, CSV, method))[1] == b"_askResult\r\ntrue\r\n"
    assert converted(wrapper(endpoint, ASK, TSV, method))[1] == b"?_askResult\ntrue\n"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_in_every_graph_format(endpoint, method):
    from SPARQLWrapper import JSONLD, N3, RDFXML, TURTLE, XML

    for return_format, media in ((TURTLE, "text/turtle"), (N3, "text/turtle")):
        result, text = converted(wrapper(endpoint, CONSTRUCT, return_format, method))
        assert result.response.headers["content-type"].startswith(media)
        graph = Graph().parse(data=text, format="turtle")
        assert (OSSENKOPPELERHOEK, RDFS.label, Literal("Ossenkoppelerhoek")) in graph or len(graph) > 3
        assert (OSSENKOPPELERHOEK, RDF.type, URIRef(BG + "Wijk")) in graph
    for return_format, media in ((JSONLD, "application/ld+json"), (RDFXML, "application/rdf+xml"),
                                 (XML, "application/rdf+xml")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's ConjunctiveGraph, inside SPARQLWrapper
            result, graph = converted(wrapper(endpoint, CONSTRUCT, return_format, method))
        assert result.response.headers["content-type"].startswith(media), return_format
        assert (OSSENKOPPELERHOEK, RDF.type, URIRef(BG + "Wijk")) in graph, return_format


def test_sparqlwrapper_datasets_and_direct_post(endpoint, contract_size):
    from SPARQLWrapper import JSON, POST, POSTDIRECTLY

    for direct in (False, True):
        client = wrapper(endpoint, COUNT, JSON, POST)
        if direct:
            client.setRequestMethod(POSTDIRECTLY)  # the query as the body, dataset parameters in the URL
        client.addDefaultGraph(str(CONTRACT))
        assert int(converted(client)[1]["results"]["bindings"][0]["n"]["value"]) == contract_size
    client = wrapper(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", JSON)
    client.addNamedGraph(str(CONTRACT))
    assert [b["g"]["value"] for b in converted(client)[1]["results"]["bindings"]] == [str(CONTRACT)]


def test_sparqlwrapper_sees_errors_as_its_own_exceptions(endpoint):
    from SPARQLWrapper import JSON
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as caught:
        wrapper(endpoint, "SELECT * WHERE { ?s nope:x ?o }", JSON).query()
    assert "line 1, column 21" in str(caught.value)


# -- rdflib's SPARQLStore -------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint, contract_size, method):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    for return_format in ("xml", "json", "csv"):
        graph = Graph(SPARQLStore(endpoint, method=method, returnFormat=return_format))
        rows = list(graph.query(WIJKEN))
        assert OSSENKOPPELERHOEK in {row[0] for row in rows}, return_format
    store = SPARQLStore(endpoint, method=method)
    union = Graph(store)
    assert union.query(ASK).askAnswer is True
    assert (OSSENKOPPELERHOEK, RDF.type, URIRef(BG + "Wijk")) in union
    described = union.query(CONSTRUCT).graph
    assert (OSSENKOPPELERHOEK, RDF.type, URIRef(BG + "Wijk")) in described
    # A graph with an identifier: SPARQLStore sends default-graph-uri, so the endpoint must narrow to it.
    contract = Graph(store, identifier=CONTRACT)
    assert len(contract) == contract_size < len(union)
    assert CONTRACT in {g.identifier if isinstance(g, Graph) else g for g in store.contexts()}


# -- curl ------------------------------------------------------------------------------------------------
CURL = shutil.which("curl")


def curl(*args: str) -> tuple[dict[str, str], str]:
    run = subprocess.run([CURL, "-s", "-S", "-i", "--max-time", "60", *args], capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stderr
    head, _, body = run.stdout.replace("\r\n", "\n").partition("\n\n")
    lines = head.splitlines()
    headers = {"status": lines[0].split()[1]}
    headers.update({k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])})
    return headers, body


def test_curl(endpoint, contract_size):
    assert CURL is not None, "curl is not installed"
    headers, body = curl("-G", endpoint, "--data-urlencode", f"query={COUNT}", "--data-urlencode",
                         f"default-graph-uri={CONTRACT}", "-H", "Accept: text/csv")
    assert headers["status"] == "200" and body.split() == ["n", str(contract_size)]
    headers, body = curl(endpoint, "--data-urlencode", f"query={ASK}", "-H", "Accept: text/tab-separated-values")
    assert headers["content-type"].startswith("text/tab-separated-values") and body == "?_askResult\ntrue\n"
    headers, body = curl(endpoint, "-H", "Content-Type: application/sparql-query", "-H", "Accept: text/turtle",
                         "--data-binary", CONSTRUCT)
    assert headers["status"] == "200" and "Ossenkopplerhoek" in body
    headers, body = curl("-X", "OPTIONS", endpoint, "-H", "Origin: https://elsewhere.example",
                         "-H", "Access-Control-Request-Method: POST", "-H", "Access-Control-Request-Headers: content-type")
    assert headers["status"] == "204" and headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"] and "content-type" in headers["access-control-allow-headers"]
    headers, body = curl(endpoint, "-H", "Accept: text/turtle")  # no query: the service description
    assert headers["status"] == "200" and "sd:Service" in body and str(CONTRACT) in body
    headers, body = curl("-G", endpoint, "--data-urlencode", "query=SELECT * WHERE { ?s nope:x ?o }")
    assert headers["status"] == "400" and '"line":1' in body.replace(" ", "")
