"""SPARQL 1.1 Protocol, read-only, with a deadline, a row cap and a memory cap per query.

Oxigraph cannot interrupt a query from another thread, so queries run in worker processes that
open the store read-only; a query past its deadline gets its worker killed (and replaced),
never a hung server thread. Workers are started with ``spawn`` because forking a process that
holds RocksDB handles and server threads is unsafe. Each worker caps its own address space and,
on the embedded store, cannot open network sockets (api/sandbox.py); what it runs has passed the
parsed-query guard (api/sparql_guard.py). One worker is kept apart for short queries, so long
queries cannot make a trivial ASK wait for their deadline.

The dataset is the protocol's default-graph-uri / named-graph-uri when given, else the query's FROM /
FROM NAMED, else the whole store with the union of the named graphs as the default graph.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing as mp
import os
import re
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from beleidsgraaf.api.problems import Problem
from beleidsgraaf.ontology.namespaces import sparql_prologue

ENV_TIMEOUT = "BELEIDSGRAAF_SPARQL_TIMEOUT"
ENV_MAX_ROWS = "BELEIDSGRAAF_SPARQL_MAX_ROWS"
ENV_WORKERS = "BELEIDSGRAAF_SPARQL_WORKERS"
ENV_MEMORY = "BELEIDSGRAAF_SPARQL_MEMORY_MB"
MAX_QUERY_BYTES = 100 * 1024
MAX_BODY_BYTES = 4 * MAX_QUERY_BYTES  # a form-encoded query may be three times its text, plus the field names
SHORT_SECONDS = 2.0  # the deadline on the lane kept for short queries

# (format key, media type) in order of preference when the client accepts anything.
SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    # Names clients use for the same formats: SPARQLWrapper asks for "application/turtle" and the N3 types
    # (Turtle is N3), and "application/x-json+ld" for JSON-LD.
    "application/turtle": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
    "application/x-json+ld": "json-ld",
}
# ?format= (also output= and results=, as SPARQLWrapper sends all three) for links and clients that cannot
# set Accept: (media type for SELECT/ASK, media type for CONSTRUCT/DESCRIBE). A value not listed here is
# ignored and Accept decides, since clients send values meant for other servers.
FORMAT_PARAM = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "jsonld": (None, "application/ld+json"), "json-ld": (None, "application/ld+json"),
    "rdf": (None, "application/rdf+xml"), "rdf+xml": (None, "application/rdf+xml"), "rdfxml": (None, "application/rdf+xml"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    **{media: (media, None) for media in SOLUTION_TYPES},
    **{media: (None, media) for media in GRAPH_TYPES},
}
FORMAT_PARAMS = ("format", "output", "results")
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}
GRAPH_MEDIA = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json",
               "nt": "application/n-triples", "xml": "application/rdf+xml"}


@dataclass(frozen=True)
class GraphSet:
    """The RDF dataset a request asks for (SPARQL 1.1 Protocol §2.1.4): None for both means "the
    query's own FROM / FROM NAMED, else the whole store"."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None

    @classmethod
    def from_params(cls, default: list[str], named: list[str]) -> GraphSet:
        for iri in [*default, *named]:
            if not _ABSOLUTE_IRI.fullmatch(iri):
                raise Problem(400, f"default-graph-uri / named-graph-uri must be absolute IRIs; '{iri[:80]}' is not",
                              kind="bad-graph-uri")
        if not default and not named:
            return cls()
        # Either parameter given makes the protocol's dataset the whole dataset: the other one is empty.
        return cls(tuple(default), tuple(named))


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")

@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    # Address space per worker, MB: an idle worker with the store open maps about 500 MB, so 1024 leaves
    # some 500 MB for a query before it is stopped instead of eating the machine.
    memory_mb: int = 1024
    short_timeout: float = SHORT_SECONDS

    @classmethod
    def from_env(cls, timeout: float | None = None, max_rows: int | None = None,
                 memory_mb: int | None = None) -> Limits:
        def number(name: str, default: float) -> float:
            raw = os.environ.get(name)
            try:
                return float(raw) if raw else default
            except ValueError:
                return default

        timeout = timeout if timeout is not None else number(ENV_TIMEOUT, cls.timeout)
        return cls(timeout=timeout,
                   max_rows=max_rows if max_rows is not None else int(number(ENV_MAX_ROWS, cls.max_rows)),
                   workers=max(1, int(number(ENV_WORKERS, cls.workers))),
                   memory_mb=max(256, memory_mb if memory_mb is not None else int(number(ENV_MEMORY, cls.memory_mb))),
                   short_timeout=min(timeout, SHORT_SECONDS))


def check_input(text: str) -> None:
    """What can be refused without parsing: size and emptiness. Everything else is the guard's, in the worker."""
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise Problem(413, f"the query is larger than {MAX_QUERY_BYTES // 1024} kB", kind="query-too-large")
    if not text.strip():
        raise Problem(400, "the SPARQL query is empty", kind="empty-query")


def _parse_accept(header: str | None) -> list[tuple[str, float]]:
    ranges = []
    for index, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for field in fields[1:]:
            if field.startswith("q="):
                try:
                    quality = float(field[2:])
                except ValueError:
                    quality = 0.0
        if fields[0]:
            ranges.append((fields[0].lower(), quality - index * 1e-6))
    return sorted((r for r in ranges if r[1] > 0), key=lambda r: -r[1])


def preferred(accept: str | None, offered: dict[str, str]) -> str | None:
    """The value in ``offered`` (media type -> key) the Accept header ranks highest; None if none fits."""
    return _best(_parse_accept(accept), offered)


def _best(ranges: list[tuple[str, float]], offered: dict[str, str]) -> str | None:
    for media, _quality in ranges:
        if media in offered:
            return offered[media]
        if media in ("*/*", "application/*", "text/*"):
            for candidate, key in offered.items():
                if media == "*/*" or candidate.startswith(media[:-1]):
                    return key
    return None


def negotiate(accept: str | None, formats: Sequence[str] | str | None = None) -> tuple[str | None, str | None]:
    """(solution format, graph format) for this request; None where the client accepts none of ours.
    The first ``format`` value this server knows wins over Accept; values it does not know are ignored."""
    if isinstance(formats, str):
        formats = [formats]
    for value in formats or ():
        known = FORMAT_PARAM.get(value.strip().lower())
        if known:
            solution, graph = known
            return (SOLUTION_TYPES[solution] if solution else None, GRAPH_TYPES[graph] if graph else None)
    ranges = _parse_accept(accept)
    return _best(ranges, SOLUTION_TYPES), _best(ranges, GRAPH_TYPES)


# -- the worker process --------------------------------------------------------------------------
def _worker(conn: Connection, location: str | None, memory_mb: int) -> None:  # pragma: no cover - a child process
    from beleidsgraaf.api import sandbox

    sandbox.cap_memory(memory_mb)  # first: imports and the open store count against the cap as well

    import rdflib.plugins.sparql
    from rdflib import Variable
    from rdflib.query import Result

    from beleidsgraaf.api import sparql_guard
    from beleidsgraaf.ontology.store import EmbeddedStore, open_store

    # The memory backend evaluates with rdflib, which would fetch the graphs a query names in FROM.
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    store = open_store(location)
    # A remote store is reached over the network, so only a worker on the embedded store can do without it.
    sandboxed = isinstance(store, EmbeddedStore) and sandbox.deny_network()
    generation = None
    conn.send(("ready", sandboxed))  # the deadline starts after this: imports and opening the store are not the query's
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        prologue, text, solution_fmt, graph_fmt, max_rows, graphs = request
        try:
            checked = sparql_guard.checked(prologue, text)  # what runs below is exactly what the guard parsed
            if store.current != generation:  # a new ingest switched generations: reopen
                store.close()
                generation = store.current
            if generation is None:
                conn.send(("error", 503, "store-empty", "the store is empty; run `beleidsgraaf ingest corpus/` first", {}))
                continue
            result = _execute(store, checked, graphs)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                graph = result.graph
                if graph is None or graph_fmt is None:
                    conn.send(("error", 406, "not-acceptable",
                               "a graph result needs Accept: text/turtle or application/ld+json", {}))
                    continue
                if len(graph) > max_rows:
                    conn.send(("error", 422, "too-many-rows",
                               f"the result has more than {max_rows} triples; narrow the query or add LIMIT", {}))
                    continue
                conn.send(("ok", result.type, graph_fmt, graph.serialize(format=graph_fmt, encoding="utf-8")))
                continue
            if solution_fmt is None:
                conn.send(("error", 406, "not-acceptable",
                           "a SELECT or ASK result needs Accept: application/sparql-results+json, "
                           "application/sparql-results+xml, text/csv or text/tab-separated-values", {}))
                continue
            if result.type == "SELECT":
                kept = list(itertools.islice(iter(result), max_rows + 1))
                if len(kept) > max_rows:
                    conn.send(("error", 422, "too-many-rows",
                               f"the result has more than {max_rows} rows; add LIMIT or narrow the query", {}))
                    continue
                capped = Result("SELECT")
                capped.vars = result.vars
                capped.bindings = [{Variable(k): v for k, v in row.asdict().items()} for row in kept]
                result = capped
            elif solution_fmt in ("csv", "tsv"):
                conn.send(("ok", result.type, solution_fmt, _boolean_sv(bool(result.askAnswer), solution_fmt)))
                continue
            payload = _tsv(result) if solution_fmt == "tsv" else result.serialize(format=solution_fmt, encoding="utf-8")
            conn.send(("ok", result.type, solution_fmt, payload))
        except Problem as exc:
            conn.send(("error", exc.status, exc.kind, exc.detail, exc.extra))
        except MemoryError:
            # Python ran out under the cap (building or serialising the result): say so, then make way for
            # a fresh worker rather than carry on with a fragmented heap.
            conn.send(("error", 422, "out-of-memory", out_of_memory(memory_mb), {}))
            return
        except SyntaxError as exc:
            problem = sparql_guard.engine_syntax_error(str(exc), prologue, text)
            conn.send(("error", problem.status, problem.kind, problem.detail, problem.extra))
        except Exception as exc:  # noqa: BLE001 - evaluation errors come in many types; all are the query's fault
            message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            conn.send(("error", 400, "query-failed", f"the query failed: {message}", {}))


def _execute(store: Any, checked: Any, graphs: GraphSet) -> Any:  # pragma: no cover - runs in the worker
    """Run the checked query on the dataset the request names: the protocol's default-graph-uri /
    named-graph-uri if given, else the query's FROM / FROM NAMED, else the whole store (its default graph
    is the union of the named graphs). Returns an rdflib Result."""
    from beleidsgraaf.ontology.store import EmbeddedStore

    if graphs.default is not None or graphs.named is not None:
        default, named = graphs.default or (), graphs.named or ()
    elif checked.default_graphs is not None or checked.named_graphs is not None:
        default, named = checked.default_graphs or (), checked.named_graphs or ()
    else:
        return store.query(checked.text)
    if not isinstance(store, EmbeddedStore):
        if graphs.default is None and graphs.named is None:
            return store.query(checked.text)  # a SPARQL server reads the query's own FROM itself
        raise Problem(501, "default-graph-uri / named-graph-uri are not passed on to a remote SPARQL store; "
                           "write FROM / FROM NAMED in the query", kind="not-implemented")
    dataset = store.dataset()
    inner = getattr(store, "_ox", None)  # set by dataset(); ontology/store.py offers no public handle on it
    if inner is not None:
        return _oxigraph(inner, checked.text, default, named)
    return _rdflib(dataset, checked.text, default, named)


def _oxigraph(inner: Any, text: str, default: tuple[str, ...], named: tuple[str, ...]) -> Any:  # pragma: no cover
    """Oxigraph through its own API. Through rdflib the store's default graph is the union of all graphs,
    and that option overrides FROM; here both lists are given, so the dataset is exactly the one asked for
    (giving only one would keep the query's clause for the other)."""
    import pyoxigraph as ox
    from oxrdflib._converter import from_ox
    from rdflib import Graph, Variable
    from rdflib.query import Result

    answer = inner.query(text, default_graph=[ox.NamedNode(g) for g in default],
                         named_graphs=[ox.NamedNode(g) for g in named])
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
    elif isinstance(answer, ox.QuerySolutions):
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in answer.variables]
        variables = result.vars
        result.bindings = ({v: from_ox(value) for v, value in zip(variables, row, strict=True) if value is not None}
                           for row in answer)
    else:
        result = Result("CONSTRUCT")
        result.graph = Graph()
        result.graph += (from_ox(t) for t in answer)
    return result


def _rdflib(dataset: Any, text: str, default: tuple[str, ...], named: tuple[str, ...]) -> Any:  # pragma: no cover
    """The in-memory backend: rdflib evaluates the query with its dataset clause replaced by this one."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    query = translateQuery(parseQuery(text))
    clauses = [CompValue("DatasetClause", default=URIRef(g)) for g in default]
    clauses += [CompValue("DatasetClause", named=URIRef(g)) for g in named]
    query.algebra["datasetClause"] = clauses
    return dataset.query(query)


def _boolean_sv(answer: bool, fmt: str) -> bytes:
    """An ASK result as CSV or TSV. The W3C note defines both for SELECT only; this is the form Jena and
    others write and read: one column named _askResult and one row."""
    value = "true" if answer else "false"
    return f"_askResult\r\n{value}\r\n".encode() if fmt == "csv" else f"?_askResult\n{value}\n".encode()


def _tsv(result: Any) -> bytes:
    """SPARQL 1.1 TSV results (rdflib has no serializer for it): terms in N-Triples/Turtle syntax."""
    variables = list(result.vars or [])
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result.bindings:
        cells = []
        for v in variables:
            term = row.get(v)
            cells.append("" if term is None else term.n3().replace("\t", "\\t").replace("\n", "\\n"))
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


STARTUP_SECONDS = 120.0  # a worker starting on a busy machine (imports, opening the store) before it takes queries


def out_of_memory(memory_mb: int) -> str:
    return (f"the query needed more than the {memory_mb} MB a query worker may use and was stopped; "
            f"narrow it or add LIMIT (the cap is {ENV_MEMORY})")


class _Worker:
    def __init__(self, location: str | None, memory_mb: int) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, location, memory_mb), daemon=True,
                                       name="sparql-worker")
        self.process.start()
        child.close()
        self.sandboxed = False

    def wait_ready(self, seconds: float) -> bool:
        if not self.conn.poll(seconds):
            return False
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            return False
        if not (isinstance(reply, tuple) and reply[:1] == ("ready",)):
            return False
        self.sandboxed = bool(reply[1])
        return True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        # Closed already when two threads discard one worker at once (close() beside a timed-out query).
        with contextlib.suppress(OSError):
            self.conn.close()


@dataclass
class _Lane:
    """Worker slots with one deadline. A slot holds None until its first query starts a process."""

    name: str
    seconds: float
    free: list[_Worker | None]
    busy: int = 0


@dataclass
class _Lease:
    lane: _Lane
    worker: _Worker | None
    epoch: int  # close() counts up: a query whose worker was stopped by close() is told so, not "out of memory"


class QueryRunner:
    """Worker processes in two lanes: ``workers`` slots with the full deadline, and one slot kept for
    short queries, taken only when the others are all busy and held for at most ``short_timeout``.
    A worker that overruns its deadline or dies (out of memory) is killed and replaced on next use."""

    def __init__(self, location: str | None, limits: Limits) -> None:
        self.location = location
        self.limits = limits
        self._general = _Lane("general", limits.timeout, [None] * limits.workers)
        self._short = _Lane("short", limits.short_timeout, [None])
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._epoch = 0

    def run(self, text: str, solution_fmt: str | None, graph_fmt: str | None,
            graphs: GraphSet | None = None) -> tuple[str, str, bytes]:
        """Run a read query on ``graphs`` (default: the query's own dataset, else the whole store); returns
        (result type, format key, serialised bytes) or raises Problem."""
        check_input(text)
        if solution_fmt is None and graph_fmt is None:
            raise Problem(406, "none of the requested media types is offered; see the SPARQL 1.1 Protocol formats",
                          kind="not-acceptable")
        lease = self._acquire()
        try:
            reply = self._ask(lease, (sparql_prologue(), text, solution_fmt, graph_fmt, self.limits.max_rows,
                                      graphs or GraphSet()))
        finally:
            self._release(lease)
        if reply[0] == "error":
            _, status, kind, message, extra = reply
            raise Problem(status, message, kind=kind, **extra)
        _, result_type, fmt, payload = reply
        return result_type, fmt, payload

    def busy(self) -> int:
        """Workers holding a query now (all lanes)."""
        with self._lock:
            return self._general.busy + self._short.busy

    def processes(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.is_alive() and w.process.pid is not None]

    def _acquire(self) -> _Lease:
        # A general slot when one is free; else the short lane; else wait for whichever frees first.
        deadline = time.monotonic() + self.limits.timeout
        with self._changed:
            while True:
                for lane in (self._general, self._short):
                    if lane.free:
                        lane.busy += 1
                        return _Lease(lane, lane.free.pop(), self._epoch)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Problem(503, "all query workers are busy; try again shortly", kind="busy",
                                  headers={"Retry-After": str(max(1, round(self.limits.short_timeout)))})
                self._changed.wait(remaining)

    def _release(self, lease: _Lease) -> None:
        with self._changed:
            lease.lane.busy -= 1
            lease.lane.free.append(lease.worker)
            self._changed.notify()

    def _ask(self, lease: _Lease, request: tuple[Any, ...]) -> tuple[Any, ...]:
        """Send one query to the lease's worker and wait for its reply within the lane's deadline."""
        try:
            if lease.worker is None or not lease.worker.process.is_alive():
                if lease.worker is not None:
                    self._discard(lease.worker)
                    lease.worker = None
                lease.worker = self._start()
            worker = lease.worker
            worker.conn.send(request)
            if not worker.conn.poll(lease.lane.seconds):
                self._discard(worker)
                lease.worker = None
                if lease.lane is self._short:
                    raise Problem(503, "the query workers are busy with long queries, and on the worker kept for short "
                                       f"queries this one did not finish within {lease.lane.seconds:g} s; try again "
                                       "shortly", kind="busy", headers={"Retry-After": str(max(1, round(self.limits.timeout)))})
                raise Problem(503, f"the query took longer than {lease.lane.seconds:g} s and was stopped; "
                                   "narrow it or add LIMIT", kind="timeout", timeout=lease.lane.seconds)
            reply = worker.conn.recv()
        except (EOFError, OSError):  # the worker went away mid-query, or its pipe broke
            problem = self._gone(lease)
            raise problem from None
        if reply[0] == "error" and reply[2] == "out-of-memory":  # the worker exits after saying so
            self._discard(worker)
            lease.worker = None
        return reply

    def _gone(self, lease: _Lease) -> Problem:
        """The Problem for a worker that went away mid-query; the worker is discarded."""
        worker, lease.worker = lease.worker, None
        code = None
        if worker is not None:
            worker.process.join(timeout=5)
            code = worker.process.exitcode
            self._discard(worker)
        if lease.epoch != self._epoch:
            return Problem(503, "the query workers were stopped (the server is shutting down)", kind="busy")
        # Rust aborts (SIGABRT) when an allocation fails under the address-space cap; the kernel's OOM
        # killer sends SIGKILL.
        if code in (-signal.SIGABRT, -signal.SIGKILL):
            return Problem(422, out_of_memory(self.limits.memory_mb), kind="out-of-memory")
        return Problem(503, f"the query worker stopped unexpectedly (exit code {code}); try again", kind="worker-died")

    def _start(self) -> _Worker:
        worker = _Worker(self.location, self.limits.memory_mb)
        with self._lock:
            self._all.append(worker)
        if not worker.wait_ready(STARTUP_SECONDS):
            self._discard(worker)
            # Starting needs about 600 MB of address space (imports, the open store): a cap set lower stops it here.
            raise Problem(503, f"a query worker could not start; try again (if it keeps failing, {ENV_MEMORY}="
                               f"{self.limits.memory_mb} may be too small to open the store)", kind="worker-died")
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def close(self) -> None:
        """Stop every worker; queries running on them end with 503. Slots start new workers on next use."""
        with self._lock:
            self._epoch += 1
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()


def media_type(result_type: str, fmt: str) -> str:
    if result_type in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_MEDIA[fmt]
    return RESULT_MEDIA[fmt]
