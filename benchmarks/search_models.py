"""Embedding models and search modes compared on a Dutch/English question set over the corpus.

For every installed candidate model: the time to embed all corpus passages (what ingest adds),
the warm time per query, and MRR@10 / hit@10 for hybrid, BM25-only and dense-only retrieval
on tests/data/search_queries.jsonl (each query's gold lines were found in corpus/ by grep).
A full ingest with the default model and an unchanged re-ingest are timed as well.
Results go to benchmarks/results/search_models.json.

    python -m benchmarks.search_models [--models use-multilingual-v3 multilingual-e5-small-q4]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.ingest import embedcache, embedding, passages, readers
from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store
from beleidsgraaf.queries.search import MODES, SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "search_queries.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "search_models.json"


def load_queries(path: Path = QUERIES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def relevant(passage, gold: list[list]) -> bool:
    """The passage is from a gold document and its lines overlap a gold span."""
    first, last = passage.lines
    return any(passage.document == doc and first <= b and last >= a for doc, a, b in gold)


def reciprocal_rank(index: SearchIndex, query: dict, mode: str, k: int = 10) -> float:
    for rank, passage in enumerate(index.search(query["query"], k, mode), start=1):
        if relevant(passage, query["gold"]):
            return 1.0 / rank
    return 0.0


def evaluate(index: SearchIndex, queries: list[dict]) -> dict:
    out = {}
    for mode in MODES:
        ranks = [reciprocal_rank(index, q, mode) for q in queries]
        out[mode] = {"mrr@10": round(sum(ranks) / len(ranks), 4), "hit@10": round(sum(r > 0 for r in ranks) / len(ranks), 4),
                     "misses": [q["query"] for q, r in zip(queries, ranks, strict=True) if r == 0]}
    return out


def measure_model(name: str, sources: list, queries: list[dict]) -> tuple[dict, passages.PassageIndex | None]:
    try:
        started = time.perf_counter()
        model = embedding.load(name)
        load_s = time.perf_counter() - started
    except BeleidsgraafError as exc:
        return {"model": name, "error": str(exc)}, None
    started = time.perf_counter()
    built = passages.build(sources, None, model=name)  # the per-user cache is off: every passage is embedded
    embed_s = time.perf_counter() - started
    index = SearchIndex(built)
    index.search("warm-up", 1, "dense")
    started = time.perf_counter()
    for q in queries:
        index.search(q["query"], 10, "hybrid")
    per_query_ms = (time.perf_counter() - started) / len(queries) * 1000
    return {"model": name, "dim": model.dim, "load_s": round(load_s, 2), "passages": len(built.passages),
            "embed_s": round(embed_s, 1), "hybrid_query_ms": round(per_query_ms, 1), "modes": evaluate(index, queries)}, built


def measure_ingest(built: passages.PassageIndex) -> dict:
    """Ingest into a fresh store with the vectors already in the per-user cache, then again unchanged.

    The cold cost of embedding is ``embed_s`` of the default model above.
    """
    with tempfile.TemporaryDirectory() as tmp:
        os.environ[embedcache.ENV_CACHE] = f"{tmp}/cache"
        embedcache.add(built.model, {p.key: v for p, v in zip(built.passages, built.vectors, strict=True)})
        store = open_store(f"{tmp}/bg")
        started = time.perf_counter()
        first = ingest([ROOT / "corpus"], store)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = ingest([ROOT / "corpus"], store)
        again_s = time.perf_counter() - started
        os.environ[embedcache.ENV_CACHE] = "off"
    return {"model": built.model, "fresh_store_warm_user_cache_ingest_s": round(first_s, 1),
            "embedded_first": first.embedded, "unchanged_reingest_s": round(again_s, 1), "embedded_again": again.embedded}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="*", default=list(embedding.MODELS))
    args = parser.parse_args()
    os.environ[embedcache.ENV_CACHE] = "off"
    queries = load_queries()
    sources = [readers.read(p) for p in sorted((ROOT / "corpus").glob("*.txt"))]
    results: dict = {"queries": len(queries), "machine": f"{os.cpu_count()} cores", "models": [], "ingest": None}
    default = None
    for name in args.models:
        row, built = measure_model(name, sources, queries)
        results["models"].append(row)
        if built is not None and name == embedding.model_name():
            default = built
        if "error" in row:
            print(f"{name:28} {row['error']}")
            continue
        print(f"{name:28} embed {row['embed_s']:6.1f} s  query {row['hybrid_query_ms']:6.1f} ms  "
              + "  ".join(f"{m} {row['modes'][m]['mrr@10']:.3f}" for m in MODES), flush=True)
    if default is not None:
        results["ingest"] = measure_ingest(default)
        print(json.dumps(results["ingest"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
