"""Hybrid passage search on the real corpus: right passages, fusion beats its parts, index stored with the graph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.ingest import embedcache, passages
from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store
from beleidsgraaf.queries.search import MODES, Passage, index_for, search, tokenize
from tests.conftest import CORPUS

QUERIES = Path(__file__).parent / "data" / "search_queries.jsonl"
PLAN = "almelo-2023-plan-leefbare-wijken-en-dorpen.txt"
CONTRACT = "almelo-2020-contract-wijksturing.txt"
BUNDLE = "almelo-2019-programmacontracten.txt"


def hit(found: list[Passage], document: str, first: int, last: int) -> int | None:
    """1-based rank of the first passage from ``document`` overlapping lines first..last."""
    for rank, p in enumerate(found, start=1):
        if p.document == document and p.lines[0] <= last and p.lines[1] >= first:
            return rank
    return None


@pytest.mark.parametrize(("query", "document", "lines", "within"), [
    ("welke buurten horen bij Ossenkoppelerhoek", PLAN, (568, 575), 1),
    ("ossenkopelerhoek buurten", PLAN, (568, 575), 1),  # typo
    ("buurten in de wijk Sluitersveld", PLAN, (587, 593), 3),  # the annex spells it Sluiterseveld
    # 6, not 5, since windows run on over PDF blank lines inside sentences: that raised MRR on heldout.jsonl 0.57 -> 0.60
    # and cost this query one place ("Wijkregie" in the text, "wijkregisseurs" in the question).
    ("budget wijkregisseurs", CONTRACT, (630, 637), 6),
    ("wie is bestuurlijk opdrachtgever van Binnenstad", BUNDLE, (1547, 1549), 3),
    ("afstemming met wijksturing voordat projecten uit de lijn openbaar worden", CONTRACT, (572, 578), 1),
    ("neighbourhoods that belong to Ossenkoppelerhoek", PLAN, (568, 575), 3),  # English question, Dutch text
])
def test_real_questions_find_the_lines(corpus_store, query, document, lines, within):
    store, _report, _location = corpus_store
    found = search(store, query, k=10)
    rank = hit(found, document, *lines)
    assert rank is not None and rank <= within, [(p.document, p.lines) for p in found]


def test_passage_contract(corpus_store):
    store, _report, _location = corpus_store
    found = search(store, "budget wijkregisseurs", k=4)
    assert len(found) == 4
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    data = found[0].as_dict()
    assert set(data) == {"document", "lines", "text", "score"}
    assert isinstance(data["lines"], list) and len(data["lines"]) == 2 and data["lines"][0] <= data["lines"][1]
    # the text is what the cited lines say
    source = (CORPUS / data["document"]).read_text(encoding="utf-8").splitlines()
    cited = " ".join(" ".join(source[n - 1].split()) for n in range(data["lines"][0], data["lines"][1] + 1))
    assert " ".join(cited.split()) == data["text"]
    json.dumps(data)


def test_results_do_not_repeat_overlapping_windows(corpus_store):
    store, _report, _location = corpus_store
    found = search(store, "wijkregisseur budgethouder", k=10)
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.document == b.document:
                shared = min(a.lines[1], b.lines[1]) - max(a.lines[0], b.lines[0]) + 1
                assert shared * 2 <= min(a.lines[1] - a.lines[0], b.lines[1] - b.lines[0]) + 1


def mean_reciprocal_rank(store, mode: str) -> float:
    ranks = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        query = json.loads(line)
        found = search(store, query["query"], k=10, mode=mode)
        best = [r for r in (hit(found, doc, a, b) for doc, a, b in query["gold"]) if r is not None]
        ranks.append(1.0 / min(best) if best else 0.0)
    return sum(ranks) / len(ranks)


def test_hybrid_beats_both_baselines(corpus_store):
    store, _report, _location = corpus_store
    mrr = {mode: mean_reciprocal_rank(store, mode) for mode in MODES}
    assert mrr["hybrid"] >= mrr["bm25"] and mrr["hybrid"] >= mrr["dense"], mrr
    assert mrr["hybrid"] >= 0.7, mrr


def test_dutch_tokens_are_folded_and_stemmed():
    assert tokenize("Wijkregisseurs") == tokenize("wijkregisseur")
    assert tokenize("Creëren van de buurten") == tokenize("creeren buurt")
    assert tokenize("de het een van") == []


@pytest.mark.parametrize(("text", "k", "mode", "message"), [
    ("", 10, "hybrid", "empty"),
    ("   \n\t", 10, "hybrid", "empty"),
    ("wijk " * 400, 10, "hybrid", "at most"),
    ("budget", 0, "hybrid", "k must be"),
    ("budget", 10, "semantic", "unknown search mode"),
])
def test_bad_queries_give_clear_errors(corpus_store, text, k, mode, message):
    store, _report, _location = corpus_store
    with pytest.raises(InputError, match=message):
        search(store, text, k=k, mode=mode)


def test_only_stop_words_still_answers_from_embeddings(corpus_store):
    store, _report, _location = corpus_store
    assert search(store, "wie is het", k=3)
    assert search(store, "wie is het", k=3, mode="bm25") == []


def test_index_is_stored_with_the_graph(corpus_store):
    store, report, _location = corpus_store
    for name in (passages.PASSAGES, passages.VECTORS, passages.META):
        assert store.artifact(name) is not None, name
    rows = store.artifact(passages.PASSAGES).read_text(encoding="utf-8").splitlines()
    vectors = np.load(store.artifact(passages.VECTORS))
    assert len(rows) == len(vectors) == report.passages > 2000
    assert {json.loads(r)["document"] for r in rows} == {p.name for p in CORPUS.glob("*.txt")}
    norms = np.linalg.norm(vectors.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=0.01)
    assert index_for(store) is index_for(store)  # loaded once per generation


def test_store_without_index_says_so(tmp_path):
    with pytest.raises(NotFoundError, match="empty"):
        search(open_store(str(tmp_path / "nothing")), "budget")


@pytest.fixture
def excerpt(tmp_path) -> Path:
    """A small file cut from the Contract Wijksturing (sections 7.4-9.5), so embedding it is quick."""
    lines = (CORPUS / CONTRACT).read_text(encoding="utf-8").splitlines()[560:680]
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "wijksturing-uittreksel.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "wijksturing-uittreksel.txt"


def test_unchanged_reingest_reuses_stored_embeddings(tmp_path, excerpt, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, "off")  # only the store's own index may serve as cache
    store = open_store(str(tmp_path / "store"))
    first = ingest([excerpt], store)
    assert first.embedded == first.passages > 10
    again = ingest([excerpt], store)
    assert again.embedded == 0 and again.passages == first.passages
    assert hit(search(store, "budget voor wijkregie", k=3), excerpt.name, 630 - 560, 637 - 560)

    # a second file: only its passages are embedded, and the first file's passages stay
    other = excerpt.with_name("notitie.txt")
    other.write_text("Notitie\n\nDe wijkraad van Hofkamp vraagt om extra bankjes in het park.\n"
                     "Het college stelt daarvoor 5.000 euro beschikbaar.\n", encoding="utf-8")
    third = ingest([other], store)
    assert third.passages == first.passages + 1 and third.embedded == 1
    found = search(store, "bankjes in het park", k=3)
    assert found[0].document == "notitie.txt" and found[0].lines == (1, 4)  # a title joins its paragraph
    assert hit(search(store, "budget voor wijkregie", k=3), excerpt.name, 630 - 560, 637 - 560)


def test_user_cache_serves_a_fresh_store(tmp_path, excerpt, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, str(tmp_path / "cache"))
    first = ingest([excerpt], open_store(str(tmp_path / "a")))
    second = ingest([excerpt], open_store(str(tmp_path / "b")))
    assert first.embedded > 0 and second.embedded == 0
    assert np.array_equal(np.load(open_store(str(tmp_path / "a")).artifact(passages.VECTORS)),
                          np.load(open_store(str(tmp_path / "b")).artifact(passages.VECTORS)))


def test_cli_search_json(corpus_store):
    _store, _report, location = corpus_store
    result = subprocess.run([sys.executable, "-m", "beleidsgraaf", "search", "welke buurten horen bij Ossenkoppelerhoek",
                             "-k", "3", "--json", "--store", location], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == 3 and data[0]["document"] == PLAN
    assert data[0]["lines"][0] <= 575 and data[0]["lines"][1] >= 568


def test_cli_search_empty_query_fails_cleanly(corpus_store):
    _store, _report, location = corpus_store
    result = subprocess.run([sys.executable, "-m", "beleidsgraaf", "search", " ", "--store", location],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "empty" in result.stderr and "Traceback" not in result.stderr
