"""SPARQL 1.1 Protocol, read-only, with a deadline and a row cap per query.

Oxigraph cannot interrupt a query from another thread, so queries run in worker processes that
open the store read-only; a query past its deadline gets its worker killed (and replaced),
never a hung server thread. Workers are started with ``spawn`` because forking a process that
holds RocksDB handles and server threads is unsafe.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import re
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from beleidsgraaf.api.problems import Problem
from beleidsgraaf.ontology.namespaces import sparql_prologue

ENV_TIMEOUT = "BELEIDSGRAAF_SPARQL_TIMEOUT"
ENV_MAX_ROWS = "BELEIDSGRAAF_SPARQL_MAX_ROWS"
ENV_WORKERS = "BELEIDSGRAAF_SPARQL_WORKERS"
MAX_QUERY_BYTES = 100 * 1024

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
}
FORMAT_PARAM = {  # ?format= shortcut for links and browsers
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "jsonld": (None, "application/ld+json"),
}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}
GRAPH_MEDIA = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json",
               "nt": "application/n-triples", "xml": "application/rdf+xml"}

_TOKENS = re.compile(r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>|#[^\n]*""",
                     re.S)
_UPDATE_START = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<>|BASE\s*<>)\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2

    @classmethod
    def from_env(cls, timeout: float | None = None, max_rows: int | None = None) -> Limits:
        def number(name: str, default: float) -> float:
            raw = os.environ.get(name)
            try:
                return float(raw) if raw else default
            except ValueError:
                return default

        return cls(timeout=timeout if timeout is not None else number(ENV_TIMEOUT, cls.timeout),
                   max_rows=max_rows if max_rows is not None else int(number(ENV_MAX_ROWS, cls.max_rows)),
                   workers=max(1, int(number(ENV_WORKERS, cls.workers))))


def _skeleton(text: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords inside them do not count."""
    return _TOKENS.sub(lambda m: "" if m.group(0).startswith("#") else ("<>" if m.group(0).startswith("<") else '""'), text)


def check_read_only(text: str) -> None:
    """Refuse updates (SPARQL Update, LOAD ...) and federated SERVICE calls before running anything."""
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise Problem(413, f"the query is larger than {MAX_QUERY_BYTES // 1024} kB", kind="query-too-large")
    skeleton = _skeleton(text)
    if not skeleton.strip():
        raise Problem(400, "the SPARQL query is empty", kind="empty-query")
    if match := _UPDATE_START.match(skeleton):
        raise Problem(403, f"this endpoint is read-only: {match.group(1).upper()} (SPARQL Update) is not allowed; "
                           "use SELECT, ASK, CONSTRUCT or DESCRIBE", kind="update-refused")
    if _SERVICE.search(skeleton):
        raise Problem(403, "federated queries (SERVICE) are not allowed on this endpoint", kind="service-refused")


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


def _best(ranges: list[tuple[str, float]], offered: dict[str, str]) -> str | None:
    for media, _quality in ranges:
        if media in offered:
            return offered[media]
        if media in ("*/*", "application/*", "text/*"):
            for candidate, key in offered.items():
                if media == "*/*" or candidate.startswith(media[:-1]):
                    return key
    return None


def negotiate(accept: str | None, format_param: str | None = None) -> tuple[str | None, str | None]:
    """(solution format, graph format) for this request; None where the client accepts none of ours."""
    if format_param:
        if format_param not in FORMAT_PARAM:
            raise Problem(400, f"unknown format '{format_param[:40]}'; use one of {', '.join(FORMAT_PARAM)}",
                          kind="unknown-format")
        solution, graph = FORMAT_PARAM[format_param]
        return (SOLUTION_TYPES[solution] if solution else None, GRAPH_TYPES[graph] if graph else None)
    ranges = _parse_accept(accept)
    return _best(ranges, SOLUTION_TYPES), _best(ranges, GRAPH_TYPES)


# -- the worker process --------------------------------------------------------------------------
def _worker(conn: Connection, location: str | None) -> None:  # pragma: no cover - runs in a child process
    from rdflib import Variable
    from rdflib.query import Result

    from beleidsgraaf.ontology.store import open_store

    store = open_store(location)
    generation = None
    conn.send(("ready",))  # the query deadline starts after this: imports and opening the store are not the query's
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        text, solution_fmt, graph_fmt, max_rows = request
        try:
            if store.current != generation:  # a new ingest switched generations: reopen
                store.close()
                generation = store.current
            if generation is None:
                conn.send(("error", 503, "store-empty", "the store is empty; run `beleidsgraaf ingest corpus/` first"))
                continue
            result = store.query(text)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                graph = result.graph
                if graph is None or graph_fmt is None:
                    conn.send(("error", 406, "not-acceptable", "a graph result needs Accept: text/turtle or application/ld+json"))
                    continue
                if len(graph) > max_rows:
                    conn.send(("error", 422, "too-many-rows",
                               f"the result has more than {max_rows} triples; narrow the query or add LIMIT"))
                    continue
                conn.send(("ok", result.type, graph_fmt, graph.serialize(format=graph_fmt, encoding="utf-8")))
                continue
            if solution_fmt is None:
                conn.send(("error", 406, "not-acceptable",
                           "a SELECT or ASK result needs Accept: application/sparql-results+json, "
                           "application/sparql-results+xml, text/csv or text/tab-separated-values"))
                continue
            if result.type == "SELECT":
                kept = list(itertools.islice(iter(result), max_rows + 1))
                if len(kept) > max_rows:
                    conn.send(("error", 422, "too-many-rows",
                               f"the result has more than {max_rows} rows; add LIMIT or narrow the query"))
                    continue
                capped = Result("SELECT")
                capped.vars = result.vars
                capped.bindings = [{Variable(k): v for k, v in row.asdict().items()} for row in kept]
                result = capped
            elif solution_fmt in ("csv", "tsv"):
                solution_fmt = "json"  # CSV/TSV have no ASK form; the protocol leaves this to the server
            payload = _tsv(result) if solution_fmt == "tsv" else result.serialize(format=solution_fmt, encoding="utf-8")
            conn.send(("ok", result.type, solution_fmt, payload))
        except SyntaxError as exc:
            conn.send(("error", 400, "malformed-query", f"malformed SPARQL: {str(exc).splitlines()[0][:300]}"))
        except Exception as exc:  # noqa: BLE001 - evaluation errors come in many types; all are the query's fault
            message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            conn.send(("error", 400, "query-failed", f"the query failed: {message}"))


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


class _Worker:
    def __init__(self, location: str | None) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, location), daemon=True, name="sparql-worker")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> bool:
        if not self.conn.poll(seconds):
            return False
        try:
            return self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryRunner:
    """A small pool of worker processes; a worker that overruns its deadline is killed and replaced."""

    def __init__(self, location: str | None, limits: Limits) -> None:
        self.location = location
        self.limits = limits
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(limits.workers):
            self._idle.put(None)  # a slot; the process starts on first use

    def run(self, text: str, solution_fmt: str | None, graph_fmt: str | None) -> tuple[str, str, bytes]:
        """Run a read query; returns (result type, format key, serialised bytes) or raises Problem."""
        check_read_only(text)
        if solution_fmt is None and graph_fmt is None:
            raise Problem(406, "none of the requested media types is offered; see the SPARQL 1.1 Protocol formats",
                          kind="not-acceptable")
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise Problem(503, "all query workers are busy; try again shortly", kind="busy") from None
        try:
            if worker is None or not worker.process.is_alive():
                worker = self._start()
            worker.conn.send((sparql_prologue() + text, solution_fmt, graph_fmt, self.limits.max_rows))
            if not worker.conn.poll(self.limits.timeout):
                self._discard(worker)
                worker = None
                raise Problem(503, f"the query took longer than {self.limits.timeout:g} s and was stopped; "
                                   "narrow it or add LIMIT", kind="timeout", timeout=self.limits.timeout)
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):
                self._discard(worker)
                worker = None
                raise Problem(503, "the query worker stopped unexpectedly (out of memory?); narrow the query",
                              kind="worker-died") from None
        except (BrokenPipeError, OSError):
            if worker is not None:
                self._discard(worker)
            worker = None
            raise Problem(503, "the query worker was unavailable; try again", kind="worker-died") from None
        finally:
            self._idle.put(worker)
        if reply[0] == "error":
            _, status, kind, message = reply
            raise Problem(status, message, kind=kind)
        _, result_type, fmt, payload = reply
        return result_type, fmt, payload

    def _start(self) -> _Worker:
        worker = _Worker(self.location)
        with self._lock:
            self._all.append(worker)
        if not worker.wait_ready(STARTUP_SECONDS):
            self._discard(worker)
            raise Problem(503, "a query worker could not start; try again", kind="worker-died")
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()


def media_type(result_type: str, fmt: str) -> str:
    if result_type in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_MEDIA[fmt]
    return RESULT_MEDIA[fmt]
