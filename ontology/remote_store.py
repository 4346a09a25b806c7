"""A SPARQL 1.1 server as the store, behind the same interface as the embedded store.

Reads use the SPARQL 1.1 Query protocol, writes the Update protocol: each named graph is
replaced by ``DROP SILENT GRAPH`` + ``INSERT DATA`` in the same request, so re-ingesting one
document replaces exactly its graphs. While the whole ingest fits in one request
(``BELEIDSGRAAF_MAX_UPDATE_BYTES``, default 64 MB) it is one request, which servers run as one
transaction; a larger ingest is split between graphs, never inside one.

The server must serve the union of its named graphs as the default graph (Oxigraph
``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph``; GraphDB and Virtuoso do so by
default): the project's queries read the default graph. ``exists()`` checks this.

Literals are written and read in the form the embedded store (Oxigraph) keeps them: it stores values
canonically (``"5.0"^^xsd:decimal`` as ``"5"``, ``xsd:positiveInteger`` as ``xsd:integer``) and gives
simple literals back typed ``xsd:string``, while other servers (Jena Fuseki) keep lexical forms as sent
and write computed decimals as ``"200000.0"``. So every server stores and answers the same terms.

Artifacts (the search index) stay on this machine, in generations like the embedded store's, in
``--store DIR`` when given, else in ``~/.cache/beleidsgraaf/remote/<hash of the endpoint>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from beleidsgraaf.errors import StoreError
from beleidsgraaf.ontology.generations import Generations
from beleidsgraaf.ontology.namespaces import bind_prefixes
from beleidsgraaf.ontology.store import ENV_STORE, Binding, GraphData, bind_values, ntriples

ENV_ENDPOINT = "BELEIDSGRAAF_ENDPOINT"
ENV_UPDATE_ENDPOINT = "BELEIDSGRAAF_UPDATE_ENDPOINT"
ENV_TIMEOUT = "BELEIDSGRAAF_ENDPOINT_TIMEOUT"
ENV_MAX_UPDATE = "BELEIDSGRAAF_MAX_UPDATE_BYTES"
QUERIES = Path(__file__).parent / "queries"
ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
          "application/sparql-results+xml;q=0.5")
# For CONSTRUCT and DESCRIBE: Virtuoso answers them in the first acceptable type even when that is a results
# format (rows ?s ?p ?o in sparql-results+json), so these ask for graph formats only.
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
# The prologue (comments, BASE, PREFIX) before a query's form keyword.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)
# Triples per INSERT DATA: Virtuoso 7's SPARQL parser runs out of stack ("SP030: SPARQL compiler ... memory
# exhausted") on one INSERT DATA of some thousands of triples, so a graph is inserted in blocks of this many.
INSERT_DATA_TRIPLES = 1000
GRAPH_FORMATS = {"application/n-triples": "nt", "text/turtle": "turtle", "text/plain": "nt",
                 "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "beleidsgraaf" / "remote"


@dataclass(frozen=True)
class RemoteLocation:
    endpoint: str
    update_endpoint: str
    path: Path  # local folder for artifacts
    backend: str = "sparql"

    def __str__(self) -> str:
        return f"sparql:{self.endpoint}"


class RemoteStore:
    """Reads and writes a SPARQL 1.1 server; keeps the search artifacts in a local folder."""

    def __init__(self, endpoint: str, update_endpoint: str | None = None, artifacts_dir: str | Path | None = None,
                 timeout: float | None = None) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreError(f"the SPARQL endpoint '{endpoint}' is not an http(s) URL",
                             hint="e.g. --endpoint http://localhost:7878/query")
        key = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16]
        folder = Path(artifacts_dir).expanduser() if artifacts_dir else _cache_home() / key
        self.generations = Generations(folder)
        self.root = self.generations.root
        self.location = RemoteLocation(endpoint, update_endpoint or endpoint, self.root)
        self.timeout = timeout if timeout is not None else float(os.environ.get(ENV_TIMEOUT) or 300)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._union_checked = False

    @classmethod
    def from_env(cls, artifacts_dir: str | None = None) -> RemoteStore:
        endpoint = os.environ.get(ENV_ENDPOINT, "")
        return cls(endpoint, os.environ.get(ENV_UPDATE_ENDPOINT) or None,
                   artifacts_dir or os.environ.get(ENV_STORE) or None)

    # -- protocol ----------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=10.0))
            return self._client

    def _post(self, url: str, body: str, content_type: str, accept: str | None = None) -> httpx.Response:
        headers = {"content-type": f"{content_type}; charset=utf-8"}
        if accept:
            headers["accept"] = accept
        try:
            response = self._http().post(url, content=body.encode("utf-8"), headers=headers)
        except httpx.TimeoutException as exc:
            raise StoreError(f"the SPARQL server at {url} did not answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url}: {exc}",
                             hint="start the server, or check --endpoint / --update-endpoint") from exc
        if response.status_code >= 400:
            message = " ".join(response.text.split())[:300] or response.reason_phrase
            if response.status_code == 400:
                raise SyntaxError(f"the SPARQL server refused the request: {message}")
            raise StoreError(f"the SPARQL server at {url} answered {response.status_code}: {message}")
        return response

    # -- reading -----------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Binding] | None = None) -> Result:
        # URL-encoded POST (SPARQL 1.1 Protocol §2.1.2), which every server takes: Virtuoso 7 never answers a
        # direct POST of application/sparql-query.
        form = urlencode({"query": bind_values(sparql, bindings or {})})
        accept = GRAPH_ACCEPT if _query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else ACCEPT
        response = self._post(self.location.endpoint, form, "application/x-www-form-urlencoded", accept)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in GRAPH_FORMATS:
            parsed = Graph()
            parsed.parse(data=response.content, format=GRAPH_FORMATS[media])
            forms = _embedded_forms(o for _s, _p, o in parsed)
            graph = Graph()
            bind_prefixes(graph.namespace_manager)
            for s, p, o in parsed:
                graph.add((s, p, forms.get(o, o)))
            result = Result("CONSTRUCT")
            result.graph = graph
            return result
        if media in ("application/sparql-results+json", "application/json"):
            result = Result.parse(io.BytesIO(response.content), format="json")
        elif media in ("application/sparql-results+xml", "application/xml"):
            result = Result.parse(io.BytesIO(response.content), format="xml")
        else:
            raise StoreError(f"the SPARQL server answered with an unexpected media type '{media}'")
        if result.type == "SELECT":
            forms = _embedded_forms(value for row in result.bindings for value in row.values())
            if forms:
                result.bindings = [{name: forms.get(value, value) for name, value in row.items()} for row in result.bindings]
        return result

    def exists(self) -> bool:
        if not self.query(_query_text("store_has_named")).askAnswer:
            return False
        if not self._union_checked:
            if not self.query(_query_text("store_has_default")).askAnswer:
                raise StoreError(f"the SPARQL server at {self.location.endpoint} does not serve the union of its named "
                                 "graphs as the default graph",
                                 hint="Oxigraph: serve --union-default-graph; Fuseki: tdb2:unionDefaultGraph true")
            self._union_checked = True
        return True

    @property
    def current(self) -> Path | None:
        """The local artifact generation; the artifact folder itself when the server has data but this machine no
        artifacts (another machine ingested). Callers use it to notice a new ingest."""
        generation = self.generations.current
        if generation is not None:
            return generation
        if self.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            return self.root
        return None

    def artifact(self, name: str) -> Path | None:
        link = self.root / "current"
        path = link.resolve() / "artifacts" / name if link.is_symlink() else None
        return path if path is not None and path.is_file() else None

    def graph_sizes(self) -> dict[URIRef, int]:
        return {row[0]: int(row[1]) for row in self.query(_query_text("store_graphs")) if isinstance(row[0], URIRef)}

    def graph_names(self) -> list[URIRef]:
        return sorted(self.graph_sizes())

    def triple_count(self) -> int:
        """Distinct triples in the union of the named graphs."""
        return int(next(iter(self.query(_query_text("store_triple_count"))))[0])

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for row in self.query(_query_text("store_quads")):
            yield row[0], row[1], row[2], row[3]

    def dataset(self) -> Dataset:
        """A local in-memory copy of everything (for tools that need a Dataset; prefer ``query``)."""
        copy = Dataset(default_union=True)
        bind_prefixes(copy.namespace_manager)
        for s, p, o, g in self.quads():
            copy.graph(g).add((s, p, o))
        return copy

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    # -- writing -----------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drop: Iterable[URIRef] = (),
                       artifacts: Mapping[str, bytes] | None = None) -> Path:
        """Replace named graphs (and drop others) on the server; all other graphs are kept.

        The artifacts are staged locally first and switched in only after the server accepted the
        update, so a failed update leaves both the server's graphs and the local index as they were.
        """
        with self.writing():
            generation = self.generations.new()
            try:
                (generation / "artifacts").mkdir(parents=True)
                for name, data in (artifacts or {}).items():
                    if "/" in name or name.startswith("."):
                        raise StoreError(f"invalid artifact name {name!r}")
                    (generation / "artifacts" / name).write_bytes(data)
                for request in _update_requests(graphs, drop, int(os.environ.get(ENV_MAX_UPDATE) or 64 * 2**20)):
                    self._post(self.location.update_endpoint, request, "application/sparql-update")
                self.generations.switch(generation, durable=False)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
        return generation

    def writing(self, waiting: Callable[[str], None] | None = None) -> contextlib.AbstractContextManager[None]:
        """Serialises writers on this machine (the lock is on the local artifact folder)."""
        return self.generations.writing(waiting)


def _query_form(sparql: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the query's first keyword after its prologue (upper case)."""
    rest = sparql[_PROLOGUE.match(sparql).end():]
    return rest[:9].split("{")[0].split()[0].upper() if rest.strip() else ""


def _embedded_forms(terms: Iterable[Node]) -> dict[Literal, Literal]:
    """Each literal among ``terms`` (language-tagged ones aside) as the embedded store gives it back: read
    through Oxigraph, as that store reads it (simple literals typed xsd:string, values canonical), and
    converted as oxrdflib converts it. Only the literals that differ are in the answer."""
    literals = list({term for term in terms if isinstance(term, Literal) and not term.language})
    if not literals:
        return {}
    text = "".join(f"<urn:t:{i}> <urn:t:v> {literal.n3()} .\n" for i, literal in enumerate(literals))
    store = ox.Store()
    store.load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    forms: dict[Literal, Literal] = {}
    for quad in store:
        original = literals[int(quad.subject.value[6:])]
        value = quad.object
        form = Literal(value.value, datatype=URIRef(value.datatype.value))
        if form.datatype != original.datatype or str(form) != str(original):
            forms[original] = form
    return forms


def _embedded_ntriples(graph: GraphData) -> str:
    """The graph as N-Triples with its literals in the embedded store's (Oxigraph's) canonical forms, so
    every server stores the terms that store holds. N-Triples terms are valid SPARQL data syntax."""
    store = ox.Store()
    store.load(ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")


def _update_requests(graphs: Mapping[URIRef, GraphData], drop: Iterable[URIRef], limit: int) -> Iterator[str]:
    """SPARQL Update requests: one operation group per graph, packed into requests up to ``limit`` bytes.

    Terms are written as N-Triples (escaped) in the embedded store's canonical forms (``_embedded_ntriples``),
    at most ``INSERT_DATA_TRIPLES`` to an ``INSERT DATA``.
    """
    operations = [f"DROP SILENT GRAPH {URIRef(name).n3()}" for name in drop if name not in graphs]
    for name, graph in graphs.items():
        iri = URIRef(name).n3()
        triples = _embedded_ntriples(graph)
        operation = f"DROP SILENT GRAPH {iri}"
        lines = triples.splitlines(keepends=True)  # N-Triples: one triple a line
        for start in range(0, len(lines), INSERT_DATA_TRIPLES):
            operation += f" ;\nINSERT DATA {{ GRAPH {iri} {{\n{''.join(lines[start:start + INSERT_DATA_TRIPLES])}}} }}"
        operations.append(operation)
    batch: list[str] = []
    size = 0
    for operation in operations:
        if batch and size + len(operation) > limit:
            yield " ;\n".join(batch)
            batch, size = [], 0
        batch.append(operation)
        size += len(operation) + 3
    if batch:
        yield " ;\n".join(batch)
