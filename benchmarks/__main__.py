"""One command for the speed targets: ``python -m benchmarks [--scales corpus,4,10] [--repeat 5]``.

Each scale runs in its own process (so the memory peak is that scale's): ``corpus`` is the real
corpus, a number N is N synthetic municipalities from ``benchmarks/synth.py``. Measured:
ingest (cold: empty embedding cache, so the model runs) in lines/s and triples/s, unchanged
re-ingest, every named query and ``validate`` on the Oxigraph store against rdflib's in-memory
store with the same quads (ratio = rdflib / Oxigraph), ``ask`` cold (first question in a
process) and warm p50/p95, search hybrid against BM25 alone and dense alone, and the peak RSS.
Prints a table and writes benchmarks/results/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUESTIONS = ROOT / "tests" / "qa" / "questions.jsonl"
SLOW_BASELINE_S = 20.0  # a baseline query slower than this is timed once
BASELINE_SECONDS = 300.0  # per baseline query or validate run, then it counts as failed
BASELINE_MEMORY = 6 * 2**30


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "n": len(ordered)}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
        if samples[-1] > SLOW_BASELINE_S:
            break
    return samples


def guarded(fn: Callable[[], object], repeat: int, seconds: float) -> list[float]:
    """``timed`` in a forked child with a deadline and a memory cap: rdflib's evaluator can take hours and
    tens of GiB on a query Oxigraph answers in milliseconds; that is recorded as a failure, not waited for."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read)
        resource.setrlimit(resource.RLIMIT_AS, (BASELINE_MEMORY, BASELINE_MEMORY))
        try:
            samples = timed(fn, repeat + 1)  # the first run in a fresh fork pays for copy-on-write page faults
            payload = json.dumps(samples[1:] or samples).encode()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            payload = json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:120]}"}).encode()
        os.write(write, payload)
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(read)
        raise TimeoutError(f"stopped after {seconds:.0f} s")
    with os.fdopen(read, "rb") as handle:
        result = json.loads(handle.read() or b'{"error": "no result (killed: out of memory?)"}')
    if isinstance(result, dict):
        raise RuntimeError(result["error"])
    return result


def prepare(scale: str, folder: Path) -> Path:
    if scale == "corpus":
        shutil.copytree(ROOT / "corpus", folder)
        return folder
    from benchmarks.synth import generate

    generate(int(scale), folder)
    return folder


def parameter_values(store: Any, slug: str) -> dict[str, str]:
    """Values for required parameters: the catalogue's examples, moved to this scale's first town."""
    from beleidsgraaf.queries import named

    values: dict[str, str] = {}
    for query in named.catalogue().values():
        for example in query.examples:
            key, _, value = example.partition("=")
            values.setdefault(key, value.replace("/almelo/", f"/{slug}/"))
    values.setdefault("ward", values.get("resource", ""))
    goals = list(store.query(named.get("din").text, named.get("din").bind({"owner": values.get("owner", "")})))
    if goals:
        values.setdefault("element", str(goals[0][0]))
    return values


def child(scale: str, repeat: int, questions: int, cold: bool = True) -> dict[str, Any]:
    if cold:  # an empty embedding cache: the model runs over every passage, as on a fresh machine
        os.environ["BELEIDSGRAAF_CACHE"] = tempfile.mkdtemp(prefix="bench-embcache-")
    from beleidsgraaf.ingest.pipeline import ingest
    from beleidsgraaf.ontology.store import open_store
    from beleidsgraaf.queries import named
    from beleidsgraaf.queries.answer import ask
    from beleidsgraaf.queries.search import search
    from beleidsgraaf.shapes.findings import validate

    out: dict[str, Any] = {"scale": scale, "cold_embedding_cache": cold}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        corpus = prepare(scale, Path(tmp) / "corpus")
        lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in corpus.glob("*.txt"))
        store = open_store(f"{tmp}/ox")
        started = time.perf_counter()
        report = ingest([corpus], store)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        ingest([corpus], store)
        again = time.perf_counter() - started
        out["ingest"] = {"files": len(report.files), "lines": lines, "triples": report.triples, "cold_s": cold,
                         "lines_per_s": lines / cold, "triples_per_s": report.triples / cold, "unchanged_reingest_s": again}

        baseline = open_store(f"memory:{tmp}/mem")  # plain rdflib in memory, the same quads
        from rdflib import Graph, URIRef

        graphs: dict[URIRef, Graph] = {}
        for s, p, o, g in store.quads():
            graphs.setdefault(g, Graph()).add((s, p, o))
        baseline.replace_graphs(graphs)

        from benchmarks.synth import town_name

        slug = "almelo" if scale == "corpus" else town_name(0).lower()
        values = parameter_values(store, slug)
        rows: dict[str, Any] = {}
        for query in named.catalogue().values():
            bound = query.bind({p.name: values[p.name] for p in query.parameters if not p.optional and p.name in values})
            if any(not p.optional and p.name not in values for p in query.parameters):
                continue
            ox = timed(lambda q=query, b=bound: list(store.query(q.text, b)), repeat)
            try:
                mem = guarded(lambda q=query, b=bound: list(baseline.query(q.text, b)), max(1, repeat // 2), BASELINE_SECONDS)
            except Exception as exc:  # noqa: BLE001 - rdflib's evaluator fails on some valid queries; record it
                rows[query.name] = {"oxigraph": percentiles(ox), "rdflib": None, "ratio": None,
                                    "rdflib_error": f"{type(exc).__name__}: {str(exc)[:120]}"}
                continue
            rows[query.name] = {"oxigraph": percentiles(ox), "rdflib": percentiles(mem),
                                "ratio": statistics.median(mem) / statistics.median(ox)}
        out["named_queries"] = rows

        ox_validate = timed(lambda: validate(store), max(1, repeat // 2))
        try:
            mem_validate = guarded(lambda: validate(baseline), 1, BASELINE_SECONDS)
            out["validate"] = {"oxigraph": percentiles(ox_validate), "rdflib": percentiles(mem_validate),
                               "ratio": statistics.median(mem_validate) / statistics.median(ox_validate)}
        except Exception as exc:  # noqa: BLE001 - the baseline's failure is the measurement
            out["validate"] = {"oxigraph": percentiles(ox_validate), "rdflib": None, "ratio": None,
                               "rdflib_error": str(exc)[:160]}

        texts = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()[:questions]]
        started = time.perf_counter()
        ask(store, texts[0])
        ask_cold = time.perf_counter() - started
        warm = [t for q in texts for t in timed(lambda q=q: ask(store, q), 1)]
        out["ask"] = {"cold_s": ask_cold, "warm": percentiles(warm)}
        modes = {}
        for mode in ("hybrid", "bm25", "dense"):
            search(store, texts[0], 10, mode)
            modes[mode] = percentiles([t for q in texts for t in timed(lambda q=q, m=mode: search(store, q, 10, m), 1)])
        out["search"] = {**modes, "ratio_bm25": modes["bm25"]["p50_ms"] / modes["hybrid"]["p50_ms"],
                         "ratio_dense": modes["dense"]["p50_ms"] / modes["hybrid"]["p50_ms"]}
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        i = r["ingest"]
        lines.append(f"== {r['scale']}: {i['files']} files, {i['lines']} lines, {i['triples']} triples, "
                     f"peak RSS {r['peak_rss_mib']:.0f} MiB")
        lines.append(f"ingest cold {i['cold_s']:.1f} s ({i['lines_per_s']:.0f} lines/s, {i['triples_per_s']:.0f} triples/s); "
                     f"unchanged re-ingest {i['unchanged_reingest_s']:.1f} s")
        a = r["ask"]
        lines.append(f"ask cold {a['cold_s']:.2f} s; warm p50 {a['warm']['p50_ms']:.0f} ms, p95 {a['warm']['p95_ms']:.0f} ms")
        s = r["search"]
        lines.append("search p50/p95 ms: " + ", ".join(f"{m} {s[m]['p50_ms']:.1f}/{s[m]['p95_ms']:.1f}"
                                                       for m in ("hybrid", "bm25", "dense")))
        v = r["validate"]
        base = f"rdflib {v['rdflib']['p50_ms'] / 1000:.2f} s (x{v['ratio']:.1f})" if v["rdflib"] else \
            f"rdflib failed: {v['rdflib_error']}"
        lines.append(f"validate oxigraph {v['oxigraph']['p50_ms'] / 1000:.2f} s, {base}")
        lines.append(f"{'named query':24} {'ox p50':>9} {'ox p95':>9} {'rdflib p50':>11} {'ratio':>7}")
        for name, q in r["named_queries"].items():
            base = f"{q['rdflib']['p50_ms']:11.1f} {q['ratio']:7.1f}" if q["rdflib"] else \
                f"{'failed':>11} {'-':>7}  {q['rdflib_error'][:60]}"
            lines.append(f"{name:24} {q['oxigraph']['p50_ms']:9.1f} {q['oxigraph']['p95_ms']:9.1f} {base}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="beleidsgraaf benchmarks")
    parser.add_argument("--scales", default="corpus,4", help="comma-separated: corpus and/or municipality counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--questions", type=int, default=20, help="questions from tests/qa for ask and search")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench.json")
    parser.add_argument("--warm-cache", action="store_true", help="keep the embedding cache (ingest without the model)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(child(args.child, args.repeat, args.questions, not args.warm_cache)) + "\n")
        return
    results = []
    for scale in args.scales.split(","):
        done = subprocess.run([sys.executable, "-m", "benchmarks", "--child", scale, "--repeat", str(args.repeat),
                               "--questions", str(args.questions), *(["--warm-cache"] if args.warm_cache else [])],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(f"scale {scale} failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(table(results[-1:]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": {"cpus": os.cpu_count()}, "results": results}, indent=1) + "\n",
                        encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
