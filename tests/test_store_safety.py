"""Nothing lost: relative store paths, one writer at a time, and one identity per source file.

Each test first reproduces a way data was once lost: through the CLI the way the README runs it
(relative paths, the default store), with real concurrent processes, and with colliding file names.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from beleidsgraaf.errors import InputError, StoreError
from beleidsgraaf.ingest.identity import check_unique, file_key
from beleidsgraaf.ontology.generations import Generations

PLAN = "Programma {name}\n\nDoelen\n- {goal}\n- Schone straten in de wijk\n\nWat gaan we doen:\n- Wijkschouw {name}\n"


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BELEIDSGRAAF_STORE"}
    return {**env, "COLUMNS": "250", **(extra or {})}


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "beleidsgraaf", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=environment(env))


def write_plan(folder: Path, file_name: str, name: str) -> Path:
    path = folder / file_name
    path.write_text(PLAN.format(name=name, goal=f"Veilige buurten voor {name}"), encoding="utf-8")
    return path


def source_files(cwd: Path, *store: str, env: dict[str, str] | None = None) -> set[str]:
    result = cli("sparql", "SELECT DISTINCT ?n WHERE { ?f a bg:Bronbestand ; bg:bestandsnaam ?n }",
                 "--format", "csv", *store, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.splitlines()[1:])


@pytest.mark.parametrize("store_args, env", [
    ((), None),                                        # the default ./.beleidsgraaf, as `make run` uses it
    (("--store", "keep"), None),
    ((), {"BELEIDSGRAAF_STORE": "keep"}),
])
def test_a_relative_store_path_keeps_its_graph(tmp_path, store_args, env):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_plan(docs, "plan.txt", "Noord")
    first = cli("ingest", "docs/plan.txt", *store_args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    stats = cli("stats", "--json", *store_args, cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    assert '"triples"' in stats.stdout
    # A second write removes old generations: never the new one, never the one a reader may hold.
    write_plan(docs, "ander.txt", "Zuid")
    assert cli("ingest", "docs/ander.txt", *store_args, cwd=tmp_path, env=env).returncode == 0
    assert source_files(tmp_path, *store_args, env=env) == {"plan.txt", "ander.txt"}
    root = tmp_path / (".beleidsgraaf" if not store_args and env is None else "keep")
    generations = sorted(p.name for p in root.glob("gen-*"))
    assert (root / "current").resolve().name in generations and len(generations) == 2


def test_garbage_collection_keeps_current_and_previous_and_removes_leftovers(tmp_path):
    gens = Generations(tmp_path / "store")
    written = []
    with gens.writing():
        leftover = gens.new()
        leftover.mkdir(parents=True)  # a writer that crashed before its switch
        for _ in range(3):
            generation = gens.new()
            generation.mkdir()
            gens.switch(generation)
            written.append(generation)
    names = {p.name for p in gens.root.glob("gen-*")}
    assert names == {written[-1].name, written[-2].name}
    assert gens.current == written[-1]


def test_switch_outside_the_writer_lock_is_refused(tmp_path):
    gens = Generations(tmp_path / "store")
    generation = gens.new()
    generation.mkdir(parents=True)
    with pytest.raises(StoreError):
        gens.switch(generation)


def test_a_second_writer_waits_for_the_first(tmp_path, monkeypatch):
    order: list[str] = []
    messages: list[str] = []
    first, second = Generations(tmp_path / "s"), Generations(tmp_path / "s")
    holding = threading.Event()

    def hold() -> None:
        with first.writing():
            holding.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    with second.writing(messages.append):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]
    assert messages and "another ingest" in messages[0]


def test_a_writer_that_cannot_get_the_lock_fails_with_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BELEIDSGRAAF_LOCK_TIMEOUT", "0.3")
    first, second = Generations(tmp_path / "s"), Generations(tmp_path / "s")
    with first.writing(), pytest.raises(StoreError, match="still writing"), second.writing():
        pass


def test_concurrent_ingests_into_one_store_keep_both_graphs(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    names = [write_plan(docs, f"plan-{i}.txt", f"Wijk{i}").name for i in range(3)]
    env = environment()
    processes = [subprocess.Popen([sys.executable, "-m", "beleidsgraaf", "ingest", f"docs/{name}", "--store", "st"],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in names]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    assert source_files(tmp_path, "--store", "st") == set(names)


def test_forced_ingests_beside_a_long_one_never_delete_its_generation(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    big = docs / "groot.txt"
    big.write_text("\n".join(PLAN.format(name=f"Wijk{i}", goal=f"Doel {i} voor de buurt") for i in range(300)),
                   encoding="utf-8")
    small = write_plan(docs, "klein.txt", "Klein")
    env = environment()
    run = [sys.executable, "-m", "beleidsgraaf", "ingest", "--store", "st"]
    long = subprocess.Popen([*run, str(big)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    shorts = [subprocess.run([*run, "--force", str(small)], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=300) for _ in range(3)]
    _out, err = long.communicate(timeout=300)
    assert long.returncode == 0, err
    assert all(s.returncode == 0 for s in shorts), [s.stderr for s in shorts]
    assert "Traceback" not in err + "".join(s.stderr for s in shorts)
    assert source_files(tmp_path, "--store", "st") == {"groot.txt", "klein.txt"}


@pytest.mark.parametrize("a, b", [
    ("Plan A.txt", "plan-a.txt"),
    ("Één.txt", "een.txt"),
    ("Plan_A.txt", "plan a.txt"),
])
def test_two_files_with_one_identifier_are_refused_before_anything_is_written(tmp_path, a, b):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_plan(docs, "eerst.txt", "Eerst")
    assert cli("ingest", "docs/eerst.txt", "--store", "st", cwd=tmp_path).returncode == 0
    before = sorted(cli("export", "--format", "nq", "--store", "st", cwd=tmp_path).stdout.splitlines())
    pair = tmp_path / "pair"
    pair.mkdir()
    write_plan(pair, a, "Een")
    write_plan(pair, b, "Twee")
    result = cli("ingest", "pair", "--store", "st", cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and a in errors[0] and b in errors[0]
    assert "Traceback" not in result.stderr
    assert sorted(cli("export", "--format", "nq", "--store", "st", cwd=tmp_path).stdout.splitlines()) == before


def test_a_later_file_may_not_take_the_identifier_of_a_stored_one(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_plan(docs, "Plan A.txt", "Een")
    assert cli("ingest", "docs/Plan A.txt", "--store", "st", cwd=tmp_path).returncode == 0
    write_plan(docs, "plan_a.txt", "Twee")
    result = cli("ingest", "docs/plan_a.txt", "--store", "st", cwd=tmp_path)
    assert result.returncode == 2
    assert "Plan A.txt" in result.stderr and "plan_a.txt" in result.stderr
    assert source_files(tmp_path, "--store", "st") == {"Plan A.txt"}
    # The same name again replaces its own graph, as before.
    assert cli("ingest", "docs/Plan A.txt", "--force", "--store", "st", cwd=tmp_path).returncode == 0


def test_long_names_that_share_their_beginning_get_distinct_identifiers():
    stem = "programmabegroting-" + "hoofdstuk-" * 10
    a, b = f"{stem}een.pdf", f"{stem}twee.pdf"
    assert file_key(a) != file_key(b)
    assert len(file_key(a)) <= 80
    assert file_key(a) == file_key(a)
    check_unique([a, b])
    assert file_key("almelo-2019-programmacontracten.txt") == "almelo-2019-programmacontracten"  # short names unchanged


def test_identity_check_names_both_files():
    with pytest.raises(InputError, match="Plan A.txt.*plan-a.txt"):
        check_unique(["Plan A.txt", "plan-a.txt"])
    with pytest.raises(InputError, match="already uses"):
        check_unique(["plan_a.txt"], stored=["Plan A.txt"])
    check_unique(["Plan A.txt"], stored=["Plan A.txt"])


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_graph_handed_over_as_n_triples_is_stored_as_the_same_graph(tmp_path, backend):
    """Ingest hands each file's graph to the store serialised (to keep memory flat); the stored quads are
    the ones the rdflib Graph would have given, with escapes and language tags intact, in both backends."""
    from rdflib import Graph, Literal, URIRef

    from beleidsgraaf.ontology.store import ntriples, open_store

    graph = Graph()
    subject = URIRef("https://w3id.org/beleidsgraaf/id/test/a")
    graph.add((subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal('Wijk "Oost"\n€ 1.000', lang="nl")))
    graph.add((subject, URIRef("https://schema.org/value"), Literal(1000)))
    as_graph, as_bytes = open_store(f"{backend}:{tmp_path / 'a'}"), open_store(f"{backend}:{tmp_path / 'b'}")
    name = URIRef("https://w3id.org/beleidsgraaf/id/graph/test")
    as_graph.replace_graphs({name: graph})
    as_bytes.replace_graphs({name: ntriples(graph)})
    assert set(as_bytes.quads()) == set(as_graph.quads())
    assert len(set(as_bytes.quads())) == 2
