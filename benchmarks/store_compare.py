"""rdflib's in-memory store against Oxigraph (through oxrdflib), on the ingested corpus.

Both stores are loaded with the same N-Quads and answer the same queries in one run; the
result is written to benchmarks/results/store_compare.json as times and ratios.

    python -m benchmarks.store_compare [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.namespaces import sparql_prologue
from beleidsgraaf.ontology.store import open_store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {
    "efforts-with-ward": "SELECT DISTINCT ?e ?w WHERE { ?e a/rdfs:subClassOf* bg:Inspanning ; bg:richtZichOp ?w }",
    "goal-chain": "SELECT DISTINCT ?a ?b WHERE { ?a bg:draagtBijAan+ ?b }",
    "cited-lines": "SELECT ?x ?b ?e WHERE { ?x prov:qualifiedDerivation ?d . ?d bg:beginRegel ?b ; bg:eindRegel ?e }",
    "buurten-per-wijk": "SELECT ?w (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b a bg:Buurt ; bg:ligtDirectIn ?w } GROUP BY ?w",
}


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"{tmp}/bg")
        ingest([ROOT / "corpus"], store)
        payload = store.dataset().serialize(format="nquads", encoding="utf-8")

    def load_memory() -> Dataset:
        ds = Dataset(default_union=True)
        ds.parse(data=payload, format="nquads")
        return ds

    def load_oxigraph() -> Dataset:
        ox_store = ox.Store()
        ox_store.bulk_load(payload, format=ox.RdfFormat.N_QUADS)
        return Dataset(store=OxigraphStore(store=ox_store), default_union=True)

    results: dict[str, dict[str, float]] = {
        "load": {"rdflib_memory_s": timed(load_memory, args.repeat), "oxigraph_s": timed(load_oxigraph, args.repeat)}
    }
    memory, oxigraph = load_memory(), load_oxigraph()
    triples = len(memory)
    for name, body in QUERIES.items():
        text = sparql_prologue() + body
        a = timed(lambda text=text: list(memory.query(text)), args.repeat)
        b = timed(lambda text=text: list(oxigraph.query(text)), args.repeat)
        results[name] = {"rdflib_memory_s": a, "oxigraph_s": b}
    for row in results.values():
        row["ratio_rdflib_over_oxigraph"] = row["rdflib_memory_s"] / max(row["oxigraph_s"], 1e-9)
    out = {"triples": triples, "repeat": args.repeat, "results": results}
    target = ROOT / "benchmarks" / "results" / "store_compare.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"{'case':<20}{'rdflib (s)':>12}{'oxigraph (s)':>14}{'ratio':>8}")
    for name, row in results.items():
        print(f"{name:<20}{row['rdflib_memory_s']:>12.4f}{row['oxigraph_s']:>14.4f}"
              f"{row['ratio_rdflib_over_oxigraph']:>8.1f}")


if __name__ == "__main__":
    main()
