"""The graph store, behind one small interface.

A store location is a string:
  ``oxigraph:DIR`` (default, persistent, Oxigraph through oxrdflib),
  ``memory:DIR``  (rdflib's in-memory store, persisted as N-Quads; the baseline),
  ``sparql:URL``  (a SPARQL 1.1 server; see the remote-store issue).

Embedded stores are generational: every write builds a complete new generation beside the
current one and then switches a ``current`` symlink with one atomic rename. A crash or a
failing ingest therefore leaves the previous generation untouched and readable.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from beleidsgraaf.errors import StoreError
from beleidsgraaf.ontology.generations import Generations
from beleidsgraaf.ontology.namespaces import bind_prefixes

# A graph to write: an rdflib Graph, or its triples already serialised as N-Triples (UTF-8). Ingest hands each
# file's graph over serialised as soon as it is built: about 300 bytes a triple (measured on the corpus) instead
# of the several times that an rdflib Graph's indexes take.
GraphData = Graph | bytes


def ntriples(graph: GraphData) -> bytes:
    """The graph's triples as N-Triples (UTF-8)."""
    return graph if isinstance(graph, bytes) else graph.serialize(format="nt", encoding="utf-8")

DEFAULT_DIR = ".beleidsgraaf"
ENV_STORE = "BELEIDSGRAAF_STORE"
BACKENDS = ("oxigraph", "memory")


@dataclass(frozen=True)
class StoreLocation:
    backend: str
    path: Path

    @classmethod
    def parse(cls, text: str | None) -> StoreLocation:
        """``--store`` value, else $BELEIDSGRAAF_STORE, else ./.beleidsgraaf (oxigraph).

        The path is made absolute here, once: everything after compares resolved paths, and a
        relative one compared with the resolved ``current`` link once made every generation look
        like garbage.
        """
        text = text or os.environ.get(ENV_STORE) or DEFAULT_DIR
        backend, sep, rest = text.partition(":")
        if sep and backend in BACKENDS:
            return cls(backend, _absolute(rest))
        if sep and backend in ("sparql", "http", "https"):
            raise StoreError("A remote SPARQL store is configured with --endpoint, not --store.")
        return cls("oxigraph", _absolute(text))

    def __str__(self) -> str:
        return f"{self.backend}:{self.path}"


def _absolute(text: str) -> Path:
    if not text.strip():
        raise StoreError("The store location is empty.", hint=f"give --store DIR or set {ENV_STORE}")
    return Path(text).expanduser().resolve()


class EmbeddedStore:
    """A generational embedded store. Reads go to the current generation; one writer at a time."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.generations = Generations(location.path)
        self.root = self.generations.root
        self._dataset: Dataset | None = None
        self._ox: ox.Store | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def current(self) -> Path | None:
        return self.generations.current

    def exists(self) -> bool:
        return self.current is not None

    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset whose default graph is the union of all graphs."""
        if self._dataset is None:
            self._dataset = self._open_dataset()
        return self._dataset

    def _open_dataset(self) -> Dataset:
        current = self.current
        if self.location.backend == "oxigraph":
            if current is None:
                self._ox = ox.Store()
            else:
                try:
                    self._ox = ox.Store.read_only(str(current / "oxigraph"))
                except OSError as exc:
                    raise StoreError(f"Cannot open the store at {current}: {exc}") from exc
            ds = Dataset(store=OxigraphStore(store=self._ox), default_union=True)
        else:
            ds = Dataset(default_union=True)
            if current is not None:
                ds.parse(current / "graph.nq", format="nquads")
        bind_prefixes(ds.namespace_manager)
        return ds

    def artifact(self, name: str) -> Path | None:
        """A file written with the current generation (see ``replace_graphs``), if present."""
        current = self.current
        path = current / "artifacts" / name if current else None
        return path if path is not None and path.is_file() else None

    def graph_names(self) -> list[URIRef]:
        return sorted(
            g.identifier for g in self.dataset().contexts() if isinstance(g.identifier, URIRef)
        )

    def graph_sizes(self) -> dict[URIRef, int]:
        return {g.identifier: len(g) for g in self.dataset().graphs()
                if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID}

    def triple_count(self) -> int:
        """Distinct triples in the union of the named graphs."""
        return len(self.dataset())

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for s, p, o, g in self.dataset().quads((None, None, None, None)):
            yield s, p, o, g.identifier if isinstance(g, Graph) else g

    def query(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> Result:
        return self.dataset().query(bind_values(sparql, bindings or {}))

    def close(self) -> None:
        self._dataset = None
        self._ox = None

    # -- writing ---------------------------------------------------------------------------
    def writing(self, waiting: Callable[[str], None] | None = None) -> contextlib.AbstractContextManager[None]:
        """The store's writer lock (see ``Generations.writing``): one ingest at a time; readers never wait."""
        return self.generations.writing(waiting)

    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drop: Iterable[URIRef] = (),
                       artifacts: Mapping[str, bytes] | None = None) -> Path:
        """Atomically replace named graphs (and drop others); all other graphs are kept.

        ``artifacts`` are files derived from the same ingest (e.g. the search index); they are
        written into the new generation, so graph and artifacts always switch together.
        """
        replaced = set(graphs) | set(drop)
        with self.writing():
            generation = self.generations.new()
            try:
                self._write_generation(generation, graphs, replaced)
                for name, data in (artifacts or {}).items():
                    if "/" in name or name.startswith(".") or name in ("oxigraph", "graph.nq"):
                        raise StoreError(f"invalid artifact name {name!r}")
                    (generation / "artifacts").mkdir(exist_ok=True)
                    (generation / "artifacts" / name).write_bytes(data)
                self.generations.switch(generation)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self.close()
        return generation

    def add_artifact(self, generation: Path, name: str, data: bytes) -> bool:
        """Add a small file to a generation written by ``replace_graphs`` (e.g. what it was built from).

        Written beside it and renamed, so a reader sees the whole file or none. False when the
        generation is gone (a later write replaced it and collected it): the file is optional.
        """
        if "/" in name or name.startswith(".") or name in ("oxigraph", "graph.nq"):
            raise StoreError(f"invalid artifact name {name!r}")
        if not self.generations.owns(generation):
            raise StoreError(f"{generation} is not a generation of the store at {self.root}")
        folder = generation / "artifacts"
        tmp = folder / f".{name}.{os.getpid()}"
        try:
            folder.mkdir(exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)
        except FileNotFoundError:
            return False
        return True

    def _write_generation(self, target: Path, graphs: Mapping[URIRef, GraphData], replaced: set[URIRef]) -> None:
        target.mkdir(parents=True)
        if self.location.backend == "oxigraph":
            self._write_oxigraph(target / "oxigraph", graphs, replaced)
        else:
            self._write_nquads(target / "graph.nq", graphs, replaced)

    def _write_oxigraph(self, target: Path, graphs: Mapping[URIRef, GraphData], replaced: set[URIRef]) -> None:
        """Kept graphs stream from the current generation's store into the new one, quad by quad, and
        each new graph is bulk-loaded on its own: memory does not grow with the store."""
        store = ox.Store(str(target))
        current = self.current
        if current is not None:
            old = ox.Store.read_only(str(current / "oxigraph"))
            dropped = {ox.NamedNode(str(name)) for name in replaced}
            store.bulk_extend(q for q in old.quads_for_pattern(None, None, None, None) if q.graph_name not in dropped)
            del old
        for name, graph in graphs.items():
            store.bulk_load(ntriples(graph), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(str(name)))
        store.flush()
        del store

    def _write_nquads(self, target: Path, graphs: Mapping[URIRef, GraphData], replaced: set[URIRef]) -> None:
        staging = Dataset()
        if self.current is not None:
            for s, p, o, g in self.dataset().quads((None, None, None, None)):
                graph_id = g.identifier if isinstance(g, Graph) else g
                if graph_id not in replaced:
                    staging.graph(graph_id).add((s, p, o))
        for name, graph in graphs.items():
            staging.graph(name).parse(data=ntriples(graph), format="nt")
        with open(target, "wb") as handle:
            handle.write(staging.serialize(format="nquads", encoding="utf-8"))
            handle.flush()
            os.fsync(handle.fileno())


_GROUP_START = re.compile(r"\bWHERE\s*\{|\bASK\s*\{", re.IGNORECASE)


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


Binding = Node | list[Node] | tuple[Node, ...]  # one term, or several: one VALUES row each


def bind_values(sparql: str, bindings: Mapping[str, Binding]) -> str:
    """Bind parameters as a VALUES block at the start of the query's top-level group.

    Values are RDF terms serialised by rdflib (escaped), never user text spliced into SPARQL.
    The same mechanism works on every SPARQL 1.1 server; Oxigraph's own substitution would
    refuse variables that are not projected.
    """
    if not bindings:
        return sparql
    match = _GROUP_START.search(sparql)
    if match is None:
        raise StoreError("Cannot bind parameters: the query has no WHERE group.")
    bad = [name for name in bindings if not _VARIABLE.fullmatch(name)]
    if bad:
        raise StoreError(f"Not a SPARQL variable name: {', '.join(bad)}")
    names = " ".join(f"?{name}" for name in bindings)
    # A list or tuple binds its variable to each of its terms (one VALUES row each; an empty one matches nothing).
    rows: list[list[str]] = [[]]
    for value in bindings.values():
        terms = value if isinstance(value, list | tuple) else (value,)
        rows = [row + [_term(term).n3()] for row in rows for term in terms]
    block = " ".join(f"({' '.join(row)})" for row in rows)
    return f"{sparql[:match.end()]} VALUES ({names}) {{ {block} }} {sparql[match.end():]}"


def _term(value: object) -> Node:
    if isinstance(value, Node):
        return value
    return Literal(value)


def open_store(location: str | None = None) -> EmbeddedStore:
    """The store: a SPARQL server when $BELEIDSGRAAF_ENDPOINT is set (``location`` then holds its local
    artifacts), else the embedded store at ``location``. The one place where the backend is chosen."""
    if os.environ.get("BELEIDSGRAAF_ENDPOINT"):
        from beleidsgraaf.ontology.remote_store import RemoteStore

        return RemoteStore.from_env(location)  # type: ignore[return-value] - same interface, duck-typed
    return EmbeddedStore(StoreLocation.parse(location))
