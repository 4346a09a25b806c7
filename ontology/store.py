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
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from beleidsgraaf.errors import StoreError
from beleidsgraaf.ontology.namespaces import bind_prefixes

DEFAULT_DIR = ".beleidsgraaf"
ENV_STORE = "BELEIDSGRAAF_STORE"
BACKENDS = ("oxigraph", "memory")


@dataclass(frozen=True)
class StoreLocation:
    backend: str
    path: Path

    @classmethod
    def parse(cls, text: str | None) -> StoreLocation:
        """``--store`` value, else $BELEIDSGRAAF_STORE, else ./.beleidsgraaf (oxigraph)."""
        text = text or os.environ.get(ENV_STORE) or DEFAULT_DIR
        backend, sep, rest = text.partition(":")
        if sep and backend in BACKENDS:
            return cls(backend, Path(rest).expanduser())
        if sep and backend in ("sparql", "http", "https"):
            raise StoreError("A remote SPARQL store is configured with --endpoint, not --store.")
        return cls("oxigraph", Path(text).expanduser())

    def __str__(self) -> str:
        return f"{self.backend}:{self.path}"


class EmbeddedStore:
    """A generational embedded store. Reads go to the current generation."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.root = location.path
        self._dataset: Dataset | None = None
        self._ox: ox.Store | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def current(self) -> Path | None:
        link = self.root / "current"
        return link.resolve() if link.is_symlink() and link.resolve().exists() else None

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

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        return self.dataset().query(bind_values(sparql, bindings or {}))

    def close(self) -> None:
        self._dataset = None
        self._ox = None

    # -- writing ---------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[URIRef, Graph], drop: Iterable[URIRef] = (),
                       artifacts: Mapping[str, bytes] | None = None) -> Path:
        """Atomically replace named graphs (and drop others); all other graphs are kept.

        ``artifacts`` are files derived from the same ingest (e.g. the search index); they are
        written into the new generation, so graph and artifacts always switch together.
        """
        replaced = set(graphs) | set(drop)
        self.root.mkdir(parents=True, exist_ok=True)
        generation = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        try:
            self._write_generation(generation, graphs, replaced)
            for name, data in (artifacts or {}).items():
                if "/" in name or name.startswith(".") or name in ("oxigraph", "graph.nq"):
                    raise StoreError(f"invalid artifact name {name!r}")
                (generation / "artifacts").mkdir(exist_ok=True)
                (generation / "artifacts" / name).write_bytes(data)
            self._switch(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        self.close()
        self._collect_garbage()
        return generation

    def add_artifact(self, generation: Path, name: str, data: bytes) -> bool:
        """Add a small file to a generation written by ``replace_graphs`` (e.g. what it was built from).

        Written beside it and renamed, so a reader sees the whole file or none. False when the
        generation is gone (a later write replaced it and collected it): the file is optional.
        """
        if "/" in name or name.startswith(".") or name in ("oxigraph", "graph.nq"):
            raise StoreError(f"invalid artifact name {name!r}")
        if generation.parent.resolve() != self.root.resolve() or not generation.name.startswith("gen-"):
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

    def _kept_quads(self, replaced: set[URIRef]) -> Iterable[tuple]:
        if self.current is None:
            return
        for s, p, o, g in self.dataset().quads((None, None, None, None)):
            graph_id = g.identifier if isinstance(g, Graph) else g
            if graph_id not in replaced:
                yield s, p, o, graph_id

    def _write_generation(self, target: Path, graphs: Mapping[URIRef, Graph], replaced: set[URIRef]) -> None:
        staging = Dataset()
        for s, p, o, g in self._kept_quads(replaced):
            staging.graph(g).add((s, p, o))
        for name, graph in graphs.items():
            named = staging.graph(name)
            for triple in graph:
                named.add(triple)
        payload = staging.serialize(format="nquads", encoding="utf-8")
        target.mkdir(parents=True)
        if self.location.backend == "oxigraph":
            store = ox.Store(str(target / "oxigraph"))
            store.bulk_load(payload, format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
        else:
            with open(target / "graph.nq", "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())

    def _switch(self, generation: Path) -> None:
        tmp_link = self.root / f".current-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp_link.unlink()
        tmp_link.symlink_to(generation.name)
        os.replace(tmp_link, self.root / "current")
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _collect_garbage(self) -> None:
        current = self.current
        for child in self.root.glob("gen-*"):
            if child != current:
                shutil.rmtree(child, ignore_errors=True)


_GROUP_START = re.compile(r"\bWHERE\s*\{|\bASK\s*\{", re.IGNORECASE)


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
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
    row = " ".join(_term(value).n3() for value in bindings.values())
    return f"{sparql[:match.end()]} VALUES ({names}) {{ ({row}) }} {sparql[match.end():]}"


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
