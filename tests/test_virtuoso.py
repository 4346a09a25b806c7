"""The remote store against a second, independent SPARQL 1.1 server: OpenLink Virtuoso 7 (Debian's
`virtuoso-opensource`), beside Oxigraph's server (test_remote_store.py).

The fixture starts a private Virtuoso on 127.0.0.1 (its own database folder, free ports), lets the SPARQL
user update, and hides Virtuoso's own system graphs (virtrdf:, ldp:, the URIQA graph) from that user, so the
union default graph and ``GRAPH ?g`` hold exactly what was ingested. The corpus ingested into it through the
CLI gives the same graphs, class counts and export, named-query rows, ask items and validate findings as the
embedded store. Two things SPARQL leaves to the engine are compared without their order: the values inside
GROUP_CONCAT (SPARQL 1.1 §18.5.1.7) and rows a query's ORDER BY leaves tied or does not order at all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib.query import Result

from beleidsgraaf.api import service
from beleidsgraaf.ontology.remote_store import RemoteStore
from beleidsgraaf.ontology.store import open_store
from beleidsgraaf.queries import named
from beleidsgraaf.queries.answer import ask
from beleidsgraaf.shapes import engine
from tests.conftest import CORPUS
from tests.test_remote_store import cli, free_port, nquads

INSTALL = "apt-get install -y virtuoso-opensource (Debian; .ci/run installs it)"
# Named-query columns made with GROUP_CONCAT, with their separator: their values are compared as sets.
CONCATENATED = {"afstemming-rules": {"dutyFor": ", ", "coordinateWith": ", "}, "documents": {"steering": ", "},
                "shared-actors": {"roles": " | "}, "shared-wards": {"documents": " | "}, "wards": {"aliases": "|"}}
# Not "Welke lijnprojecten raken Ossenkoppelerhoek?": it reads efforts-in-ward (NOT_PORTABLE).
QUESTIONS = ["Welke wijkregisseurs zijn er in Almelo?", "Welke buurten horen bij Ossenkoppelerhoek?",
             "Wat is het budget van het programma Duurzaamheid?"]
# Named queries whose rows Virtuoso 7.2.5 gets wrong (no error; different rows). Not compared.
NOT_PORTABLE = {
    "efforts-in-ward": "the zero-or-one path `?ward (^bg:ligtIn|bg:ligtIn)? ?via` from the VALUES-bound ?ward is a "
                       "transitive operator to Virtuoso: alone it fails 'Error TR...: transitive start not given', in "
                       "the query it drops the ?ward join (thousands of rows instead of 62)",
    "contributes-to": "`?element bg:draagtBijAan+ ?goal` from the VALUES-bound ?element: the binding is dropped "
                      "(61 rows, embedded 0)",
    "budgets": "the OPTIONAL subquery with `rdfs:subClassOf*` binds no ?effortLabel and rows multiply",
    "entities": "SELECT DISTINCT with VALUES ?kind and two OPTIONALs returns duplicate rows",
    "programmes": "COUNT(DISTINCT ?node) over an OPTIONAL { {..} UNION {..} } is 0 for every programme",
    "programme-relations": "BIND(EXISTS {..} AS ?mutual) comes back as xsd:integer 1/0, not xsd:boolean",
    "programme-wards": "a boolean BIND (?targeted) comes back as xsd:integer 1/0, not xsd:boolean",
}
# Shape checks (shapes/engine.py) Virtuoso 7.2.5 answers differently. Most rely on SPARQL's join of an unbound
# variable: a subquery that projects $this without reading it leaves it unbound, compatible with every row
# (SPARQL 1.1 §18.3); Virtuoso joins it as a value equal to nothing.
UNBOUND_JOIN = "a subquery projecting an unbound $this joins with nothing on Virtuoso"
NOT_PORTABLE_CHECKS = {
    "LevelLoop": "`$this a/rdfs:subClassOf* bg:Doel ; bg:draagtBijAan+ $this` fails: 'Virtuoso 37000 Error SQ156: "
                 "Internal Optimized compiler error : unknown table for a column dfe in sqldf.c:1528', so `beleidsgraaf "
                 "validate` on Virtuoso exits 2",
    "HoursPerYear": UNBOUND_JOIN, "VisieRequired": UNBOUND_JOIN, "HolderPerDocument/sparql": UNBOUND_JOIN,
    "ReachedFromVisie": UNBOUND_JOIN, "TableAgainstText": UNBOUND_JOIN,
    "SourceLines": UNBOUND_JOIN + " (inside OPTIONAL: every entity is reported without source lines)",
}
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
SYSTEM_GRAPHS = ["http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/sparql"]
INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
CheckpointInterval = 0
CaseMode           = 2
DirsAllowed        = .
NumberOfBuffers    = 20000
MaxDirtyBuffers    = 15000

[HTTPServer]
ServerPort           = 127.0.0.1:{http}
ServerRoot           = {db}
ServerThreads        = 4
MaxClientConnections = 4
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows      = 10000000
MaxQueryExecutionTime = 0
"""
# Run as dba through isql once the server is up.
SETUP = "\n".join([
    'grant SPARQL_UPDATE to "SPARQL";',
    f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE}', 1);",
    *(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE}', '{graph}');" for graph in SYSTEM_GRAPHS),
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",  # private graphs: invisible to the SPARQL user
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 3, 0);",  # all others: read and write
    "",
])


class Virtuoso:
    def __init__(self, folder: Path) -> None:
        binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
        if binary is None or isql is None:
            pytest.fail(f"OpenLink Virtuoso (`virtuoso-t`, `isql-vt`) is not installed: {INSTALL}")
        self.sql, self.http = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http}/sparql"
        self.log = folder / "virtuoso.log"
        config = folder / "virtuoso.ini"
        config.write_text(INI.format(db=folder, sql=self.sql, http=self.http), encoding="utf-8")
        self.process = subprocess.Popen([binary, "-f", "+configfile", str(config)], cwd=folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Virtuoso exited: {self.tail()}")
            try:
                if httpx.get(self.base, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            pytest.fail(f"Virtuoso did not start within 90 s: {self.tail()}")
        script = folder / "setup.sql"
        script.write_text(SETUP, encoding="utf-8")
        done = subprocess.run([isql, f"127.0.0.1:{self.sql}", "dba", "dba", str(script)],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            self.stop()
            pytest.fail(f"Virtuoso setup failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:] if self.log.is_file() else ""

    @property
    def env(self) -> dict[str, str]:
        return {"BELEIDSGRAAF_ENDPOINT": self.base, "BELEIDSGRAAF_UPDATE_ENDPOINT": self.base}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Iterator[Virtuoso]:
    running = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def on_virtuoso(virtuoso, tmp_path_factory) -> tuple[Virtuoso, Path]:
    """The corpus (a copy) ingested into Virtuoso through the CLI, the endpoints given as flags."""
    corpus = tmp_path_factory.mktemp("virtuoso-corpus") / "corpus"
    shutil.copytree(CORPUS, corpus)
    artifacts = tmp_path_factory.mktemp("virtuoso-artifacts")
    result = cli("--endpoint", virtuoso.base, "--update-endpoint", virtuoso.base, "ingest", str(corpus),
                 env={}, store=artifacts)
    assert result.returncode == 0, result.stderr
    assert f"sparql:{virtuoso.base}" in result.stdout
    return virtuoso, artifacts


def sample_parameters() -> dict[str, str]:
    """A value for each parameter: the catalogue's examples (as the benchmarks take them)."""
    values: dict[str, str] = {}
    for query in named.catalogue().values():
        for example in query.examples:
            key, _, value = example.partition("=")
            values.setdefault(key, value)
    values.setdefault("ward", values.get("resource", ""))
    return values


def comparable(name: str, result: Result) -> Counter[str]:
    """The rows (or triples) as a multiset, GROUP_CONCAT values as sorted sets."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Counter(" ".join(term.n3() for term in triple) for triple in result.graph)
    if result.type == "ASK":
        return Counter([str(result.askAnswer)])
    rows: Counter[str] = Counter()
    for row in result.bindings:
        cells = {str(var): None if row.get(var) is None else str(row[var]) for var in result.vars or ()}
        for column, separator in CONCATENATED.get(name, {}).items():
            if cells.get(column) is not None:
                cells[column] = separator.join(sorted(cells[column].split(separator)))
        rows[json.dumps(cells, sort_keys=True)] += 1
    return rows


def test_same_graphs_counts_and_export_as_the_embedded_store(on_virtuoso, corpus_store, monkeypatch):
    virtuoso, artifacts = on_virtuoso
    _store, _report, embedded = corpus_store
    for name, value in virtuoso.env.items():
        monkeypatch.setenv(name, value)
    far = service.stats(str(artifacts))
    monkeypatch.delenv("BELEIDSGRAAF_ENDPOINT")
    near = service.stats(embedded)
    assert far.counts == near.counts and far.counts["Document"] > 0
    assert far.graphs == near.graphs and far.triples == near.triples > 20_000
    # Byte for byte: literals are stored and read back in the embedded store's canonical forms.
    assert nquads(artifacts, virtuoso.env) == nquads(Path(embedded), {"BELEIDSGRAAF_ENDPOINT": ""})


def test_every_named_query_gives_the_same_rows(on_virtuoso, corpus_store):
    virtuoso, artifacts = on_virtuoso
    _store, _report, embedded = corpus_store
    far = RemoteStore(virtuoso.base, virtuoso.base, artifacts)
    near = open_store(embedded)
    values = sample_parameters()
    ran, differ = [], []
    for query in named.catalogue().values():
        if query.name in NOT_PORTABLE:
            continue
        bound = query.bind({p.name: values[p.name] for p in query.parameters if not p.optional})
        rows = comparable(query.name, near.query(query.text, bound))
        try:
            theirs = comparable(query.name, far.query(query.text, bound))
        except Exception as exc:  # noqa: BLE001  (reported with the others below)
            differ.append(f"{query.name}: {exc}")
            continue
        if theirs != rows:
            differ.append(f"{query.name}: {sum(theirs.values())} rows, embedded {sum(rows.values())}; "
                          f"only on Virtuoso {list((theirs - rows).elements())[:2]}, only embedded "
                          f"{list((rows - theirs).elements())[:2]}")
        ran.append((query.name, sum(rows.values())))
    assert not differ, "\n".join(differ)
    assert len(ran) >= 20 and sum(n > 0 for _name, n in ran) >= 19, ran
    # and through the CLI, as a user runs it
    wards = cli("query", "wards", "--format", "json", env=virtuoso.env, store=artifacts)
    assert wards.returncode == 0, wards.stderr
    assert any("Ossenkoppelerhoek" in str(v) for row in json.loads(wards.stdout) for v in row.values())


def test_ask_gives_the_same_items(on_virtuoso, corpus_store):
    virtuoso, artifacts = on_virtuoso
    _store, _report, embedded = corpus_store
    far = RemoteStore(virtuoso.base, virtuoso.base, artifacts)
    near = open_store(embedded)
    for question in QUESTIONS:
        mine, theirs = ask(near, question), ask(far, question)
        assert theirs["answers"], question
        items = [sorted(json.dumps(item, sort_keys=True, ensure_ascii=False) for item in answer["answers"])
                 for answer in (mine, theirs)]
        assert items[0] == items[1], question


def test_validate_gives_the_same_findings(on_virtuoso, corpus_store):
    """Per check (shapes/engine.py), the same focus nodes, the non-portable checks aside."""
    virtuoso, artifacts = on_virtuoso
    _store, _report, embedded = corpus_store
    far = RemoteStore(virtuoso.base, virtuoso.base, artifacts)
    near = open_store(embedded)
    checks = [check for check in engine.constraints() if check.id not in NOT_PORTABLE_CHECKS]
    assert len(checks) >= 20
    found = [Counter((hit.constraint.id, str(hit.focus)) for hit in engine.run(store, checks)) for store in (far, near)]
    differ = sorted({key[0] for key in (found[0] - found[1]) + (found[1] - found[0])})
    assert not differ, differ
    assert sum(found[0].values()) > 0
