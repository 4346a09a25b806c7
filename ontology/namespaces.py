"""The only place where IRIs and prefixes are written out."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD, NamespaceManager

BG = Namespace("https://w3id.org/beleidsgraaf/def#")
ID = Namespace("https://w3id.org/beleidsgraaf/id/")
SCHEMA = Namespace("https://schema.org/")
TOOI_GEMEENTE = Namespace("https://identifier.overheid.nl/tooi/id/gemeente/")

ONTOLOGY_IRI = "https://w3id.org/beleidsgraaf/def"
ONTOLOGY_GRAPH = ID["graph/ontology"]

PREFIXES: dict[str, Namespace] = {
    "bg": BG,
    "id": ID,
    "schema": SCHEMA,
    "prov": PROV,
    "org": ORG,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "time": TIME,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


def bind_prefixes(manager: NamespaceManager) -> None:
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)


def sparql_prologue() -> str:
    """PREFIX lines for queries typed by people (CLI, web editor)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def extracted_graph(file_slug: str) -> str:
    return str(ID[f"graph/{file_slug}"])


def curated_graph(file_slug: str) -> str:
    return str(ID[f"graph/curated/{file_slug}"])
