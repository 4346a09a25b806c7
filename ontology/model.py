"""Access to the ontology file shipped with the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

ONTOLOGY_PATH = Path(__file__).with_name("beleidsgraaf.ttl")


@cache
def _parsed() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


def ontology_graph() -> Graph:
    """A fresh copy of the ontology, so callers may add to it."""
    copy = Graph()
    for triple in _parsed():
        copy.add(triple)
    return copy
