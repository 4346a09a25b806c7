"""Whole-corpus validation time: the shapes run as queries on Oxigraph, against pySHACL on the same graph.

Ingests the corpus into a temporary store, times ``validate()`` (all severities, name variants included)
and, with --pyshacl, one pySHACL run with the same shapes over the union graph plus the ontology.
Writes benchmarks/results/validate_time.json.

    python -m benchmarks.validate_time [--repeat 5] [--pyshacl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from rdflib import Graph

from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store
from beleidsgraaf.shapes import engine
from beleidsgraaf.shapes.findings import summary, validate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pyshacl", action="store_true", help="also time pySHACL once (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"{tmp}/bg")
        ingest([ROOT / "corpus"], store)
        triples = len(store.dataset())
        samples, found = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = validate(store)
            samples.append(time.perf_counter() - started)
        out: dict[str, object] = {
            "triples": triples, "repeat": args.repeat, "constraints": len(engine.constraints()),
            "validate_median_s": statistics.median(samples), "validate_max_s": max(samples),
            "findings": summary(found), "findings_by_shape": dict(Counter(f.shape for f in found).most_common()),
        }
        if args.pyshacl:
            import pyshacl

            data = Graph()
            for s, p, o, _ in store.dataset().quads((None, None, None, None)):
                data.add((s, p, o))
            started = time.perf_counter()
            conforms, _, _ = pyshacl.validate(data, shacl_graph=engine.shapes_graph(), allow_warnings=True)
            out["pyshacl_s"] = time.perf_counter() - started
            out["pyshacl_conforms"] = conforms
    target = ROOT / "benchmarks" / "results" / "validate_time.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
