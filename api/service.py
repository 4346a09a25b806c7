"""Use cases shared by the CLI and (later) HTTP: parse -> call -> render lives in the callers."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.query import Result

from beleidsgraaf.api import sparql_guard
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.errors import BeleidsgraafError, NotFoundError
from beleidsgraaf.ingest.pipeline import IngestReport, Progress, ingest
from beleidsgraaf.ontology.namespaces import bind_prefixes, sparql_prologue
from beleidsgraaf.ontology.store import EmbeddedStore, open_store

ENV_ENDPOINT = "BELEIDSGRAAF_ENDPOINT"
ENV_UPDATE_ENDPOINT = "BELEIDSGRAAF_UPDATE_ENDPOINT"

EXPORT_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


@dataclass
class Stats:
    triples: int
    graphs: list[tuple[str, int]]
    counts: dict[str, int]


def use_endpoint(endpoint: str | None, update_endpoint: str | None = None) -> None:
    """Select a SPARQL server for this process and the workers it starts (open_store reads the environment)."""
    if endpoint:
        os.environ[ENV_ENDPOINT] = endpoint
    if update_endpoint:
        os.environ[ENV_UPDATE_ENDPOINT] = update_endpoint


def store_for(location: str | None) -> EmbeddedStore:
    return open_store(location)


def run_ingest(paths: list[Path], location: str | None, progress: Progress | None = None,
               force: bool = False, waiting: Callable[[str], None] | None = None,
               curated: Path | None = None) -> IngestReport:
    if curated is not None and not curated.is_dir():
        raise BeleidsgraafError(f"--curated {curated}: not a folder")
    return ingest(paths, store_for(location), progress, curated_dir=curated, force=force, waiting=waiting)


def require_data(store: EmbeddedStore) -> None:
    if not store.exists():
        raise NotFoundError(f"the store at {getattr(store.location, 'endpoint', store.location.path)} is empty",
                            hint="run `beleidsgraaf ingest corpus/` first")


def export(location: str | None, fmt: str) -> bytes:
    if fmt not in EXPORT_FORMATS:
        raise BeleidsgraafError(f"unknown export format '{fmt}'", hint=f"use one of {', '.join(EXPORT_FORMATS)}")
    store = store_for(location)
    require_data(store)
    # Through store.quads(), which a remote store answers with a query, not a local Dataset.
    if fmt in ("trig", "nq"):
        copy = Dataset()
        bind_prefixes(copy.namespace_manager)
        for s, p, o, g in store.quads():
            copy.graph(g).add((s, p, o))
        return copy.serialize(format=EXPORT_FORMATS[fmt], encoding="utf-8")
    union = Graph()
    bind_prefixes(union.namespace_manager)
    for s, p, o, _g in store.quads():
        union.add((s, p, o))
    return union.serialize(format=EXPORT_FORMATS[fmt], encoding="utf-8")


def sparql(location: str | None, query: str, bindings: Mapping[str, object] | None = None) -> Result:
    if not query.strip():
        raise BeleidsgraafError("the SPARQL query is empty")
    # The same decision on the parsed query as the HTTP endpoint: no updates, LOAD or SERVICE, however spelled.
    try:
        query = sparql_guard.read_only(sparql_prologue() if "PREFIX" not in query.upper() else "", query)
    except Problem as problem:
        raise BeleidsgraafError(str(problem)) from None
    store = store_for(location)
    require_data(store)
    try:
        return store.query(query, bindings)
    except (SyntaxError, ValueError, Exception) as exc:  # noqa: BLE001 - parser errors come in many types
        raise BeleidsgraafError(f"SPARQL error: {str(exc).splitlines()[0][:300]}") from exc


def stats(location: str | None) -> Stats:
    store = store_for(location)
    require_data(store)
    graphs = sorted((str(g), n) for g, n in store.graph_sizes().items())
    from beleidsgraaf.queries import named

    counts = {str(row["class"]).rsplit("#", 1)[-1]: int(row.n) for row in store.query(named.get("class-counts").text)}
    return Stats(triples=store.triple_count(), graphs=graphs, counts=counts)
