"""The CLI on a real store: deterministic and atomic ingest, export, sparql, stats, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from tests.conftest import CORPUS


def cli(*args: str, store: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run([sys.executable, "-m", "beleidsgraaf", *args, "--store", str(store)],
                          capture_output=True, text=True, input=stdin, timeout=300, env=env)


def nquads(store: Path) -> list[str]:
    result = cli("export", "--format", "nq", store=store)
    assert result.returncode == 0, result.stderr
    return sorted(line for line in result.stdout.splitlines() if line.strip())


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    result = cli("ingest", str(CORPUS), store=store)
    assert result.returncode == 0, result.stderr
    assert "Programmacontract Zorg" in result.stdout  # the summary table names every document
    return store


def test_two_ingests_of_the_same_files_give_identical_graphs(ingested, tmp_path):
    other = tmp_path / "again"
    assert cli("ingest", str(CORPUS), store=other).returncode == 0
    first, second = nquads(ingested), nquads(other)
    assert len(first) > 10_000
    assert first == second


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"\x00\x01\x02\xff" * 200, "binary"),
])
def test_bad_file_fails_with_one_clear_line_and_leaves_the_graph_untouched(ingested, tmp_path, content, reason):
    before = nquads(ingested)
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "goed.txt").write_text("Programma Test\nDoelen\n- Schone wijken\n", encoding="utf-8")
    bad = folder / "kapot.txt"
    bad.write_bytes(content)
    result = cli("ingest", str(folder), store=ingested)
    assert result.returncode == 2
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and "kapot.txt" in error_lines[0] and reason in error_lines[0].lower()
    assert nquads(ingested) == before


def test_missing_path_is_named(ingested, tmp_path):
    result = cli("ingest", str(tmp_path / "bestaat-niet.pdf"), store=ingested)
    assert result.returncode == 2
    assert "bestaat-niet.pdf" in result.stderr


@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_export_formats_parse_back(ingested, fmt, parser):
    result = cli("export", "--format", fmt, store=ingested)
    assert result.returncode == 0
    graph = Graph().parse(data=result.stdout, format=parser)
    assert len(graph) > 10_000


def test_export_trig_keeps_named_graphs(ingested, tmp_path):
    target = tmp_path / "graph.trig"
    assert cli("export", "--format", "trig", "-o", str(target), store=ingested).returncode == 0
    dataset = Dataset().parse(target, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert "https://w3id.org/beleidsgraaf/id/graph/curated/almelo-2020-contract-wijksturing" in names
    assert "https://w3id.org/beleidsgraaf/id/graph/almelo-2023-plan-leefbare-wijken-en-dorpen" in names


def test_sparql_json_and_csv(ingested):
    query = "SELECT DISTINCT ?code WHERE { ?w skos:prefLabel 'Ossenkoppelerhoek'@nl ; bg:cbsCode ?code }"
    result = cli("sparql", query, "--format", "json", store=ingested)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"code": "WK014108"}]
    csv_out = cli("sparql", query, "--format", "csv", store=ingested).stdout.splitlines()
    assert csv_out == ["code", "WK014108"]


def test_sparql_from_file_and_update_refused(ingested, tmp_path):
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a bg:Buurt }", encoding="utf-8")
    result = cli("sparql", "-f", str(rq), "--format", "json", store=ingested)
    assert int(json.loads(result.stdout)[0]["n"]) >= 67
    refused = cli("sparql", "DELETE WHERE { ?s ?p ?o }", store=ingested)
    assert refused.returncode == 2 and "read" in refused.stderr
    broken = cli("sparql", "SELECT WHERE {", store=ingested)
    assert broken.returncode == 2 and "SPARQL" in broken.stderr


def test_stats_counts_the_annex_wards(ingested):
    result = cli("stats", "--json", store=ingested)
    data = json.loads(result.stdout)
    assert data["counts"]["Buurt"] >= 67
    assert data["counts"]["Document"] == 12
    assert data["triples"] > 10_000


def test_commands_on_an_empty_store_say_what_to_do(tmp_path):
    result = cli("stats", store=tmp_path / "leeg")
    assert result.returncode == 2 and "ingest" in result.stderr
