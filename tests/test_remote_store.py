"""The remote store against a real SPARQL 1.1 server: Oxigraph's own server process on 127.0.0.1.

The same corpus ingested through the Query/Update protocols must give the same graphs, counts and
export as the embedded store; re-ingesting one file replaces exactly its graphs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from beleidsgraaf.api import service
from beleidsgraaf.errors import StoreError
from beleidsgraaf.ontology.remote_store import RemoteStore
from tests.conftest import CORPUS

SMALL = "almelo-2020-contract-wijksturing.txt"


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, folder: Path, union: bool = True) -> None:
        binary = oxigraph_binary()
        assert binary is not None, "the `oxigraph` server binary is not installed (pip install oxigraph, part of the test extra)"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(args + (["--union-default-graph"] if union else []),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {self.process.stderr.read().decode(errors='replace')[:500]}")
            try:
                httpx.get(f"{self.base}/query", params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("oxigraph serve did not start within 30 s")

    @property
    def env(self) -> dict[str, str]:
        return {"BELEIDSGRAAF_ENDPOINT": f"{self.base}/query", "BELEIDSGRAAF_UPDATE_ENDPOINT": f"{self.base}/update"}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def cli(*args: str, env: dict[str, str], store: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "250", **env}
    return subprocess.run([sys.executable, "-m", "beleidsgraaf", *args, "--store", str(store)],
                          capture_output=True, text=True, timeout=300, env=full)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("oxigraph-server"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def remote(server, tmp_path_factory) -> tuple[Server, Path, Path]:
    """The corpus (a copy) ingested into the server; the endpoints given as flags, not env."""
    corpus = tmp_path_factory.mktemp("remote-corpus") / "corpus"
    shutil.copytree(CORPUS, corpus)
    artifacts = tmp_path_factory.mktemp("remote-artifacts")
    result = cli("--endpoint", server.env["BELEIDSGRAAF_ENDPOINT"], "--update-endpoint",
                 server.env["BELEIDSGRAAF_UPDATE_ENDPOINT"], "ingest", str(corpus), env={}, store=artifacts)
    assert result.returncode == 0, result.stderr
    assert f"sparql:{server.base}/query" in result.stdout
    return server, corpus, artifacts


def nquads(store: Path, env: dict[str, str]) -> list[str]:
    result = cli("export", "--format", "nq", env=env, store=store)
    assert result.returncode == 0, result.stderr
    return sorted(line for line in result.stdout.splitlines() if line.strip())


def by_graph(lines: list[str]) -> dict[str, set[str]]:
    graphs: dict[str, set[str]] = {}
    for line in lines:
        graph = line.rstrip(" .").rsplit(" ", 1)[1]
        graphs.setdefault(graph, set()).add(line)
    return graphs


def test_same_graphs_counts_and_export_as_the_embedded_store(remote, corpus_store, monkeypatch):
    server, _corpus, artifacts = remote
    _store, _report, embedded = corpus_store
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    far = service.stats(str(artifacts))
    monkeypatch.delenv("BELEIDSGRAAF_ENDPOINT")
    near = service.stats(embedded)
    assert far.counts == near.counts and far.counts["Document"] > 0
    assert far.graphs == near.graphs and len(far.graphs) >= 11
    assert far.triples == near.triples > 20_000
    # Byte for byte the same N-Quads (simple literals come back typed xsd:string, as from the embedded store).
    assert nquads(artifacts, server.env) == nquads(Path(embedded), {"BELEIDSGRAAF_ENDPOINT": ""})


def test_named_query_ask_search_and_validate_run_on_the_server(remote):
    server, _corpus, artifacts = remote
    wards = cli("query", "wards", "--format", "json", env=server.env, store=artifacts)
    assert wards.returncode == 0, wards.stderr
    labels = {str(v) for row in json.loads(wards.stdout) for v in row.values()}
    assert any("Ossenkoppelerhoek" in label for label in labels)
    ask = cli("ask", "Welke wijkregisseurs zijn er in Almelo?", "--json", env=server.env, store=artifacts)
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert answer["answers"] and answer["answers"][0]["evidence"]
    found = cli("search", "budget wijkregisseurs", "-k", "3", "--json", env=server.env, store=artifacts)
    assert found.returncode == 0 and json.loads(found.stdout)[0]["document"].endswith(".txt")
    checked = cli("validate", "--json", "--severity", "violation", env=server.env, store=artifacts)
    assert checked.returncode in (0, 1), checked.stderr
    assert all(f["severity"] == "violation" for f in json.loads(checked.stdout))


def test_http_api_serves_from_the_server(remote, monkeypatch):
    server, corpus, artifacts = remote
    from beleidsgraaf.api.http import create_app

    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(str(artifacts), corpus_dirs=[str(corpus)], sparql_timeout=30)) as client:
        rows = client.get("/sparql", params={"query": "SELECT DISTINCT ?w WHERE { ?w a bg:Wijk }"})
        assert rows.status_code == 200 and len(rows.json()["results"]["bindings"]) >= 10
        assert client.get("/sparql", params={"query": "DROP ALL"}).status_code == 403
        ask = client.get("/ask", params={"q": "Welke buurten horen bij Ossenkoppelerhoek?"})
        assert ask.status_code == 200 and ask.json()["answers"]
        assert client.get("/search", params={"q": "wijkregisseur"}).json()["passages"]


def test_reingesting_one_file_replaces_exactly_its_graphs(remote, tmp_path):
    server, corpus, artifacts = remote
    before = by_graph(nquads(artifacts, server.env))
    changed = tmp_path / SMALL
    text = (corpus / SMALL).read_text(encoding="utf-8")
    shutil.copy(corpus / "MANIFEST.tsv", tmp_path / "MANIFEST.tsv")
    # What belongs to the file lives beside it: its curated overlays and its municipality's profile.
    shutil.copytree(corpus / "curated", tmp_path / "curated")
    shutil.copytree(corpus / "profiles", tmp_path / "profiles")
    changed.write_text(text.replace("De wijkwethouder is bestuurlijk", "De gebiedswethouder is bestuurlijk", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != text
    result = cli("ingest", str(changed), env=server.env, store=artifacts)
    assert result.returncode == 0, result.stderr
    after = by_graph(nquads(artifacts, server.env))
    own = {g for g in before if g.endswith("-contract-wijksturing>")}
    assert own and set(after) == set(before)
    assert all(after[g] == before[g] for g in before if g not in own)
    assert any(after[g] != before[g] for g in own)
    assert any("gebiedswethouder" in line for g in own for line in after[g])
    # Putting the original back gives the original graph again.
    assert cli("ingest", str(corpus / SMALL), env=server.env, store=artifacts).returncode == 0
    assert by_graph(nquads(artifacts, server.env)) == before


def test_unreachable_server_and_missing_union_graph_are_clear_errors(tmp_path):
    result = cli("--endpoint", "http://127.0.0.1:9/query", "stats", env={}, store=tmp_path / "a")
    assert result.returncode == 2
    assert "cannot reach the SPARQL server at http://127.0.0.1:9/query" in result.stderr
    plain = Server(tmp_path / "plain", union=False)
    try:
        httpx.post(f"{plain.base}/update", content="INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
                   headers={"content-type": "application/sparql-update"}).raise_for_status()
        with pytest.raises(StoreError, match="union of its named graphs"):
            RemoteStore(f"{plain.base}/query", artifacts_dir=tmp_path / "b").exists()
    finally:
        plain.stop()
