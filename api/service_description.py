"""SPARQL 1.1 Service Description for ``GET /sparql`` without a query (W3C SPARQL 1.1 Service Description §2).

Clients (and people) find out here what the endpoint speaks: the query language, the result formats, the
limits, and the dataset: the default graph is the union of the named graphs, each named graph listed with
its size. Graph sizes are counted once per store generation, not on every request.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from beleidsgraaf.api.sparql_protocol import Limits, preferred

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML")
MEDIA = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/json": "json-ld",
         "application/rdf+xml": "xml", "application/n-triples": "nt"}
CONTENT_TYPE = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json",
                "xml": "application/rdf+xml", "nt": "application/n-triples"}

_sizes: dict[Path | None, tuple[int, dict[URIRef, int]]] = {}
_lock = threading.Lock()


def negotiate(accept: str | None) -> str:
    """The serialisation the client prefers; Turtle when it names none of ours (the spec's own examples)."""
    return preferred(accept, MEDIA) or "turtle"


def _graph_sizes(store: object) -> tuple[int, dict[URIRef, int]]:
    generation = getattr(store, "current", None)
    with _lock:
        if generation not in _sizes:
            _sizes.clear()  # one generation is current at a time; older counts are of no use
            _sizes[generation] = (store.triple_count(), store.graph_sizes())  # type: ignore[attr-defined]
        return _sizes[generation]


def describe(endpoint: str, store: object, limits: Limits) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    # The default graph is the union of the named graphs unless the request or the query names a dataset.
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    graph.add((service, DCTERMS.title, Literal("beleidsgraaf SPARQL endpoint", lang="en")))
    graph.add((service, RDFS.comment, Literal(
        f"Read-only SPARQL 1.1 Query (no SERVICE, no Update). A query runs for at most {limits.timeout:g} s and "
        f"returns at most {limits.max_rows} rows or triples. default-graph-uri / named-graph-uri and FROM / "
        "FROM NAMED are honoured; without them the default graph is the union of all named graphs.", lang="en")))
    total, sizes = _graph_sizes(store)
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    for name, size in sorted(sizes.items()):
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph
