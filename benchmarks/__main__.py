"""One command for the speed targets: ``python -m benchmarks [--scales corpus,10,55] [--repeat 5]``.

``corpus`` is the real corpus, a number N is N synthetic municipalities from ``benchmarks/synth.py``.
Each scale runs in three processes, one after the other, on one store folder:

1. ingest: cold ingest (empty embedding cache) in lines/s and triples/s, then unchanged re-ingest;
2. product: opens the store as ``serve`` would and times every named query, ``validate``, ``ask`` (cold:
   first question in the process; warm p50/p95) and search (hybrid against BM25 alone and dense alone);
3. baseline: plain rdflib in memory, loaded from the same quads, answers the same named queries and
   ``validate`` (ratio = rdflib / Oxigraph). It runs in its own process under an address-space limit,
   with a deadline per query, and not at all above ``--baseline-cap`` triples.

So the product's peak RSS (max of 1 and 2) is never inflated by the baseline, whose memory is reported
apart. The dense model embeds about 40 passages/s on two cores; with ``--embedder auto`` (default) the
synthetic scales ingest with placeholder passage vectors (``benchmarks/placeholder.py``), their ingest
figures are labelled as excluding the model, and the model's throughput is measured on a sample and
reported with an estimate of the full cold ingest. Prints a table and writes benchmarks/results/bench.json.

Once per run, beside the scales: the PDFs of the shared corpus-extern folder are ingested into a store of their
own (pages/s), and ``benchmarks/embedders.py`` measures passages/s per embedding backend on a sample of the
corpus passages (``--skip extern,embedders`` leaves them out). Named queries are timed as a whole listing, as
their first page (``queries/paging.py``, the API's and the CLI's default page) and as the count that gives the
page's total. The machine (CPU, cores, memory) and its load average before and after each part are written
with the results: the machine is shared, and a figure means little without the load it was taken under.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUESTIONS = ROOT / "tests" / "qa" / "questions.jsonl"
SLOW_S = 2.0  # a query slower than this is not repeated
PARTS = ("reingest", "extern", "embedders", "baseline")  # what --skip may leave out


def shared_extern() -> Path:
    """The corpus-extern PDFs: $BELEIDSGRAAF_SHARED/corpus-extern, else shared/corpus-extern beside the checkout
    or above it (where tests/conftest.py finds them)."""
    roots = [Path(os.environ["BELEIDSGRAAF_SHARED"])] if os.environ.get("BELEIDSGRAAF_SHARED") else []
    roots += [parent / "shared" for parent in ROOT.parents]
    return next((root / "corpus-extern" for root in roots if (root / "corpus-extern").is_dir()), ROOT / "corpus-extern")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _proc(name: str, key: str) -> str | None:
    """A field of /proc/cpuinfo or /proc/meminfo (Linux), else None."""
    path = Path("/proc") / name
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)


def machine() -> dict[str, Any]:
    cpu = _proc("cpuinfo", "model name") or platform.processor()
    memory = _proc("meminfo", "MemTotal")
    memory = int(memory.split()[0]) // 1024 if memory else None
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mib": memory, "python": platform.python_version(),
            "platform": platform.platform(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average_at_start": load_average()}


SCOPES: dict[str, Callable[[dict[str, str]], str]] = {  # optional parameters narrowed in the scoped runs
    "owner": lambda values: values["owner"],
    "programme": lambda values: values["owner"],
    "principle": lambda _values: "https://w3id.org/beleidsgraaf/def#programmasturing",
}


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
        if samples[-1] > SLOW_S:
            break
    return samples


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
            values.setdefault(key, value.replace("almelo", slug))
    values.setdefault("ward", values.get("resource", ""))
    goals = list(store.query(named.get("din").text, named.get("din").bind({"owner": values.get("owner", "")})))
    if goals:  # a goal of this scale's own DIN: the catalogue's example element exists in the real corpus only
        values["element"] = str(goals[0][0])
    return values


def runnable(values: dict[str, str]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Each named query with its required parameters bound (queries lacking a value are left out), as a listing
    (optional parameters empty: everything, growing with the store), and again narrowed by its optional
    programme/document or steering parameter, as ``ask`` and the API call it when a question names one."""
    from beleidsgraaf.queries import named

    for query in named.catalogue().values():
        if any(not p.optional and p.name not in values for p in query.parameters):
            continue
        required = {p.name: values[p.name] for p in query.parameters if not p.optional}
        yield query.name, query, query.bind(required)
        scoped = {p.name: SCOPES[p.name](values) for p in query.parameters if p.optional and p.name in SCOPES}
        if scoped:
            yield f"{query.name} [{','.join(scoped)}]", query, query.bind({**required, **scoped})


# -- stage 1: ingest ---------------------------------------------------------------------------------
def stage_ingest(work: Path, scale: str, placeholder: bool, reingest: bool) -> dict[str, Any]:
    os.environ["BELEIDSGRAAF_CACHE"] = str(work / "embcache")  # empty: the model (or placeholder) runs over every passage
    if placeholder:
        from benchmarks.placeholder import register

        register()
    from beleidsgraaf.ingest.pipeline import ingest
    from beleidsgraaf.ontology.store import open_store

    corpus = prepare(scale, work / "corpus")
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in corpus.glob("*.txt"))
    store = open_store(str(work / "ox"))
    started = time.perf_counter()
    report = ingest([corpus], store)
    cold = time.perf_counter() - started
    out: dict[str, Any] = {"files": len(report.files), "lines": lines, "triples": report.triples, "passages": report.passages,
                           "dense_model": not placeholder, "cold_s": cold, "lines_per_s": lines / cold,
                           "triples_per_s": report.triples / cold, "unchanged_reingest_s": None, "warm_s": None}
    if reingest:
        started = time.perf_counter()
        ingest([corpus], store)
        out["unchanged_reingest_s"] = time.perf_counter() - started
        # warm: everything read, extracted and written again, the passage vectors from the now filled cache
        started = time.perf_counter()
        ingest([corpus], store, force=True)
        out["warm_s"] = time.perf_counter() - started
        out["warm_lines_per_s"] = lines / out["warm_s"]
    out["peak_rss_mib"] = peak_rss_mib()
    return out


# -- stage 2: the product ---------------------------------------------------------------------------------
def stage_product(work: Path, scale: str, placeholder: bool, repeat: int, questions: int, embed_sample: int,
                  validate_seconds: float) -> dict[str, Any]:
    if placeholder:
        from benchmarks.placeholder import register

        register()
    from beleidsgraaf.ontology.store import open_store
    from beleidsgraaf.queries.answer import ask
    from beleidsgraaf.queries.search import search
    from beleidsgraaf.shapes.findings import validate
    from benchmarks.synth import town_name

    store = open_store(str(work / "ox"))
    values = parameter_values(store, "almelo" if scale == "corpus" else town_name(0).lower())
    (work / "parameters.json").write_text(json.dumps(values), encoding="utf-8")
    progress = (work / "product.jsonl").open("a", encoding="utf-8")  # read it while a long run goes on

    def record(key: str, value: object) -> None:
        progress.write(json.dumps({key: value}) + "\n")
        progress.flush()

    from beleidsgraaf.queries import paging

    rows: dict[str, Any] = {}
    for name, query, bound in runnable(values):
        started = time.perf_counter()
        count = len(list(store.query(query.text, bound)))  # the first run warms the store's caches: reported apart
        first = time.perf_counter() - started
        ox = timed(lambda q=query, b=bound: list(store.query(q.text, b)), repeat)
        rows[name] = {"rows": count, "first_ms": first * 1000, **percentiles(ox)}
        if paging.form(query.text) == "SELECT":  # what the API and the CLI run by default: a page and its total
            text, total = paging.page(query.text, paging.DEFAULT_LIMIT), paging.count(query.text)
            rows[name]["page"] = percentiles(timed(lambda t=text, b=bound: list(store.query(t, b)), repeat))
            rows[name]["count"] = percentiles(timed(lambda t=total, b=bound: list(store.query(t, b)), repeat))
        record(name, rows[name])
    out: dict[str, Any] = {"named_queries": rows}
    try:
        with deadline(validate_seconds):  # validate reads every citation: a slow query there must not stall the run
            started = time.perf_counter()
            findings = validate(store)
            first = time.perf_counter() - started
            out["validate"] = {"findings": len(findings), "first_ms": first * 1000,
                               **percentiles(timed(lambda: validate(store), repeat))}
    except Deadline as exc:
        out["validate"] = {"error": str(exc), "timeout_s": validate_seconds}
    record("validate", out["validate"])

    texts = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()[:questions]]
    try:  # a failing ask is this run's finding, not a reason to lose the figures measured before and after it
        started = time.perf_counter()
        ask(store, texts[0])
        ask_cold = time.perf_counter() - started
        warm = [t for q in texts for t in timed(lambda q=q: ask(store, q), 1)]
        out["ask"] = {"cold_s": ask_cold, "warm": percentiles(warm)}
    except Exception as exc:  # noqa: BLE001 - reported in the results and the table
        out["ask"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    record("ask", out["ask"])
    modes = {}
    for mode in ("hybrid", "bm25", "dense"):
        search(store, texts[0], 10, mode)
        modes[mode] = percentiles([t for q in texts for t in timed(lambda q=q, m=mode: search(store, q, 10, m), 1)])
    out["search"] = {**modes, "ratio_bm25": modes["bm25"]["p50_ms"] / modes["hybrid"]["p50_ms"],
                     "ratio_dense": modes["dense"]["p50_ms"] / modes["hybrid"]["p50_ms"]}
    out["peak_rss_mib"] = peak_rss_mib()
    if placeholder:  # after the RSS reading: the batch activations are ingest's, not serving's
        passages = store.artifact("passages.jsonl")
        assert passages is not None
        with passages.open(encoding="utf-8") as handle:
            sample = [json.loads(line)["text"] for line, _ in zip(handle, range(embed_sample), strict=False)]
        from benchmarks.placeholder import embedding_throughput

        out["embedding"] = embedding_throughput(sample)
    return out


# -- once per run: the corpus-extern PDFs and the embedding backends ----------------------------------------
def stage_extern(work: Path, placeholder: bool) -> dict[str, Any]:
    """Ingest of the shared PDFs (BBV budget and annual accounts) into an empty store: pages and lines per second."""
    folder = shared_extern()
    pdfs = sorted(folder.glob("*.pdf"))
    if not pdfs:
        return {"not_run": f"no PDFs in {folder}"}
    os.environ["BELEIDSGRAAF_CACHE"] = str(work / "embcache-extern")
    if placeholder:
        from benchmarks.placeholder import register

        register()
    from beleidsgraaf.ingest import readers
    from beleidsgraaf.ingest.pipeline import ingest
    from beleidsgraaf.ontology.store import open_store

    started = time.perf_counter()
    texts = [readers.read(pdf) for pdf in pdfs]
    read_s = time.perf_counter() - started
    pages = sum(len(getattr(text, "pages", ()) or ()) for text in texts)
    started = time.perf_counter()
    report = ingest(pdfs, open_store(str(work / "extern")))
    seconds = time.perf_counter() - started
    return {"files": [p.name for p in pdfs], "pages": pages, "triples": report.triples, "passages": report.passages,
            "dense_model": not placeholder, "read_s": read_s, "ingest_s": seconds, "pages_per_s": pages / seconds,
            "peak_rss_mib": peak_rss_mib()}


def run_embedders(sample: int) -> dict[str, Any]:
    """passages/s per embedding backend from ``benchmarks/embedders.py`` (its own command, on ``sample`` passages).

    That module writes benchmarks/results/embedders.json itself; a sampled run here must not replace a full run
    kept there, so the file is put back as it was and the sampled figures go into this run's results.
    """
    if not (ROOT / "benchmarks" / "embedders.py").exists():
        return {"not_run": "benchmarks/embedders.py is absent"}
    target = RESULTS / "embedders.json"
    kept = target.read_bytes() if target.exists() else None
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.embedders", "--limit", str(sample)],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            return {"error": f"exit {done.returncode}: {done.stderr[-600:]}"}
        measured = json.loads(target.read_text(encoding="utf-8"))
    finally:
        if kept is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(kept)
    return {"sample": sample, "load_average_at_start": measured.get("load_average_at_start"),
            "load_average_at_end": measured.get("load_average_at_end"), "versions": measured.get("versions"),
            "engines": {e.get("name", e.get("engine", str(i))): {k: v for k, v in e.items() if k.startswith("passages_per")
                                                                  or k in ("load_s", "error")}
                        for i, e in enumerate(measured.get("engines", []))}}


# -- stage 3: the rdflib baseline -------------------------------------------------------------------------
class Deadline(BaseException):  # not caught by the code under test's "except Exception"
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """rdflib's evaluator is pure Python, so an interval timer can stop it between bytecodes."""
    def expire(_signum: int, _frame: object) -> None:
        raise Deadline(f"stopped after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def baseline_run(fn: Callable[[], object], repeat: int, seconds: float) -> dict[str, Any]:
    try:
        with deadline(seconds):
            samples = timed(fn, repeat)
    except Deadline as exc:
        return {"error": str(exc), "timeout_s": seconds}
    except MemoryError:
        return {"error": "out of memory (address-space limit)"}
    except Exception as exc:  # noqa: BLE001 - rdflib fails on some valid queries: that is the measurement
        return {"error": f"{type(exc).__name__}: {str(exc)[:120]}"}
    return percentiles(samples)


def stage_baseline(work: Path, repeat: int, seconds: float) -> None:
    """Writes one JSON line per measurement to baseline.jsonl as it goes, so a process killed by the
    memory limit still leaves what it measured."""
    import pyoxigraph as ox

    from beleidsgraaf.ontology.store import open_store
    from beleidsgraaf.shapes.findings import validate

    results = (work / "baseline.jsonl").open("a", encoding="utf-8")

    def record(key: str, value: object) -> None:
        results.write(json.dumps({key: value}) + "\n")
        results.flush()

    source = (work / "ox" / "current").resolve()
    generation = work / "mem" / "gen-baseline"
    generation.mkdir(parents=True)
    ox.Store.read_only(str(source / "oxigraph")).dump(str(generation / "graph.nq"), ox.RdfFormat.N_QUADS)
    shutil.copytree(source / "artifacts", generation / "artifacts")
    (work / "mem" / "current").symlink_to(generation.name)
    baseline = open_store(f"memory:{work / 'mem'}")
    started = time.perf_counter()
    baseline.dataset()
    record("load_s", time.perf_counter() - started)
    record("load_rss_mib", peak_rss_mib())
    values = json.loads((work / "parameters.json").read_text(encoding="utf-8"))
    for name, query, bound in runnable(values):
        record(name, baseline_run(lambda q=query, b=bound: list(baseline.query(q.text, b)), repeat, seconds))
    record("validate", baseline_run(lambda: validate(baseline), 1, seconds * 2))
    record("peak_rss_mib", peak_rss_mib())


# -- orchestration ----------------------------------------------------------------------------------------
def run_stage(args: argparse.Namespace, stage: str, work: Path, scale: str, memory: int | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks", "--stage", stage, "--work", str(work), "--scales", scale,
               "--repeat", str(args.repeat), "--questions", str(args.questions), "--embedder", args.embedder,
               "--baseline-timeout", str(args.baseline_timeout),
               "--embed-sample", str(args.embed_sample), "--validate-timeout", str(args.validate_timeout),
               *(["--skip-reingest"] if "reingest" in args.skip else [])]

    def limit() -> None:  # pragma: no cover - runs in the child
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, preexec_fn=limit)
    if stage == "baseline":
        return {"exit_code": done.returncode, "stderr": done.stderr[-600:] if done.returncode else ""}
    if done.returncode != 0:
        sys.exit(f"scale {scale}, stage {stage} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def placeholder_for(scale: str, embedder: str) -> bool:
    return embedder == "placeholder" or (embedder == "auto" and scale != "corpus")


def run_scale(args: argparse.Namespace, scale: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{scale}-") as tmp:
        work = Path(tmp)
        load = {"ingest": load_average()}
        ingest = run_stage(args, "ingest", work, scale)
        load["product"] = load_average()
        product = run_stage(args, "product", work, scale)
        load["baseline"] = load_average()
        out: dict[str, Any] = {"scale": scale, "ingest": ingest, **product,
                               "product_peak_rss_mib": max(ingest["peak_rss_mib"], product["peak_rss_mib"]),
                               "load_average_before": load}
        if "embedding" in product:
            embed_s = ingest["passages"] / product["embedding"]["passages_per_s"]
            out["ingest"]["estimated_cold_with_model_s"] = ingest["cold_s"] + embed_s
        if "baseline" in args.skip:
            out["baseline"] = {"not_run": "left out (--skip baseline)"}
        elif ingest["triples"] > args.baseline_cap:
            out["baseline"] = {"not_run": f"{ingest['triples']} triples above the cap of {args.baseline_cap}"}
        else:
            status = run_stage(args, "baseline", work, scale, memory=int(args.baseline_memory_gib * 2**30))
            measured: dict[str, Any] = {}
            log = work / "baseline.jsonl"
            for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
                measured.update(json.loads(line))
            if status["exit_code"]:
                measured["died"] = f"exit {status['exit_code']}: {status['stderr'][-300:]}"
            out["baseline"] = measured
    return compare(out)


def compare(out: dict[str, Any]) -> dict[str, Any]:
    """Ratios rdflib / Oxigraph on the medians; a baseline stopped by its deadline gives a lower bound."""
    base = out["baseline"]
    for name, ox in [*out["named_queries"].items(), ("validate", out["validate"])]:
        mem = base.get(name)
        if "error" in ox:  # the product itself was stopped: nothing to compare
            ox["rdflib"], ox["ratio"] = mem, None
            continue
        if mem is None:
            ox["rdflib"], ox["ratio"] = None, None
            ox["rdflib_error"] = base.get("not_run") or base.get("died") or "not measured"
        elif "error" in mem:
            ox["rdflib"] = None
            ox["rdflib_error"] = mem["error"]
            ox["ratio"] = None
            if "timeout_s" in mem:
                ox["ratio_at_least"] = mem["timeout_s"] * 1000 / ox["p50_ms"]
        else:
            ox["rdflib"] = mem
            ox["ratio"] = mem["p50_ms"] / ox["p50_ms"]
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        i = r["ingest"]
        model = "dense model run" if i["dense_model"] else "placeholder passage vectors, dense model NOT run"
        lines.append(f"== {r['scale']}: {i['files']} files, {i['lines']} lines, {i['triples']} triples, "
                     f"{i['passages']} passages; "
                     f"product peak RSS {r['product_peak_rss_mib']:.0f} MiB (ingest {i['peak_rss_mib']:.0f}, "
                     f"queries {r['peak_rss_mib']:.0f})")
        again = f"{i['unchanged_reingest_s']:.1f} s" if i["unchanged_reingest_s"] is not None else "not run"
        warm = f"{i['warm_s']:.1f} s" if i.get("warm_s") is not None else "not run"
        lines.append(f"ingest cold {i['cold_s']:.1f} s ({model}): {i['lines_per_s']:.0f} lines/s, {i['triples_per_s']:.0f} "
                     f"triples/s; warm (forced, cache filled) {warm}; unchanged re-ingest {again}")
        lines.append(f"load average before ingest/product/baseline: {r['load_average_before']}")
        if "embedding" in r:
            e = r["embedding"]
            lines.append(f"dense model {e['passages_per_s']:.0f} passages/s ({e['sample']} sampled): cold ingest with the "
                         f"model estimated {i['estimated_cold_with_model_s']:.0f} s")
        a = r["ask"]
        lines.append(f"ask failed: {a['error']}" if "error" in a else
                     f"ask cold {a['cold_s']:.2f} s; warm p50 {a['warm']['p50_ms']:.0f} ms, p95 {a['warm']['p95_ms']:.0f} ms")
        s = r["search"]
        lines.append("search p50/p95 ms: " + ", ".join(f"{m} {s[m]['p50_ms']:.1f}/{s[m]['p95_ms']:.1f}"
                                                       for m in ("hybrid", "bm25", "dense")))
        b = r["baseline"]
        if "load_s" in b:
            lines.append(f"rdflib baseline: load {b['load_s']:.0f} s, peak RSS {b.get('peak_rss_mib', b['load_rss_mib']):.0f} MiB"
                         + (f"; {b['died']}" if "died" in b else ""))
        else:
            lines.append(f"rdflib baseline: {b.get('not_run') or b.get('died')}")
        lines.append(f"{'':30} {'rows':>6} {'ox p50':>9} {'ox p95':>9} {'rdflib p50':>11} {'ratio':>7} "
                     f"{'page p95':>9} {'count p95':>9}")
        for name, q in [*r["named_queries"].items(), ("validate", r["validate"])]:
            if "error" in q:
                lines.append(f"{name:30} {'':>6} {'stopped':>9} {'':>9}  {q['error']}")
                continue
            paged = f" {q['page']['p95_ms']:9.1f} {q['count']['p95_ms']:9.1f}" if "page" in q else ""
            if q["rdflib"]:
                base = f"{q['rdflib']['p50_ms']:11.1f} {q['ratio']:7.1f}"
            elif "ratio_at_least" in q:
                base = f"{'timeout':>11} {'>=' + format(q['ratio_at_least'], '.0f'):>7}"
            else:
                base = f"{'-':>11} {'-':>7}  {q['rdflib_error'][:60]}"
            lines.append(f"{name:30} {q.get('rows', ''):>6} {q['p50_ms']:9.1f} {q['p95_ms']:9.1f} {base}{paged}")
    return "\n".join(lines)


def once_table(once: dict[str, Any]) -> str:
    lines = []
    extern = once.get("extern")
    if extern and "pages" in extern:
        model = "dense model run" if extern["dense_model"] else "placeholder passage vectors, dense model NOT run"
        lines.append(f"corpus-extern PDFs: {len(extern['files'])} files, {extern['pages']} pages, {extern['triples']} "
                     f"triples in {extern['ingest_s']:.1f} s ({model}): {extern['pages_per_s']:.1f} pages/s "
                     f"(reading the PDFs alone {extern['read_s']:.1f} s); peak RSS {extern['peak_rss_mib']:.0f} MiB")
    elif extern:
        lines.append(f"corpus-extern PDFs: {extern.get('not_run') or extern.get('error')}")
    embedders = once.get("embedders")
    if embedders and "engines" in embedders:
        for name, e in embedders["engines"].items():
            per = ", ".join(f"{k} {v:.1f}" for k, v in e.items() if isinstance(v, float))
            lines.append(f"embedder {name}: {per or e}")
    elif embedders:
        lines.append(f"embedders: {embedders.get('not_run') or embedders.get('error')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="beleidsgraaf benchmarks")
    parser.add_argument("--scales", default="corpus,10,55", help="comma-separated: corpus and/or municipality counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--questions", type=int, default=20, help="questions from tests/qa for ask and search")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench.json")
    parser.add_argument("--embedder", choices=("auto", "model", "placeholder"), default="auto",
                        help="passage vectors at ingest: the dense model, placeholders, or auto (model for corpus only)")
    parser.add_argument("--warm-cache", action="store_true", help="same as --embedder placeholder (kept for old scripts)")
    parser.add_argument("--embed-sample", type=int, default=256, help="passages timed through the model with placeholders")
    parser.add_argument("--skip-reingest", action="store_true", help="same as --skip reingest")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {', '.join(PARTS)} (reingest: "
                                                   "the unchanged and the warm re-ingest)")
    parser.add_argument("--embedders-sample", type=int, default=256, help="passages per embedding backend")
    parser.add_argument("--baseline-cap", type=int, default=1_500_000, help="no rdflib baseline above this many triples")
    parser.add_argument("--baseline-memory-gib", type=float, default=6.0, help="address-space limit of the baseline process")
    parser.add_argument("--baseline-timeout", type=float, default=120.0, help="seconds per baseline query (validate: twice)")
    parser.add_argument("--validate-timeout", type=float, default=900.0, help="seconds for the product's validate runs")
    parser.add_argument("--stage", choices=("ingest", "product", "baseline", "extern"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_cache:
        args.embedder = "placeholder"
    args.skip = {part.strip() for part in args.skip.split(",") if part.strip()} | ({"reingest"} if args.skip_reingest else set())
    if args.skip - set(PARTS):
        parser.error(f"--skip takes {', '.join(PARTS)}, not {', '.join(sorted(args.skip - set(PARTS)))}")
    if args.stage:
        scale = args.scales
        placeholder = placeholder_for(scale, args.embedder)
        if args.stage == "ingest":
            result: Any = stage_ingest(args.work, scale, placeholder, "reingest" not in args.skip)
        elif args.stage == "extern":
            result = stage_extern(args.work, placeholder_for("extern", args.embedder))
        elif args.stage == "product":
            result = stage_product(args.work, scale, placeholder, args.repeat, args.questions, args.embed_sample,
                                   args.validate_timeout)
        else:
            result = stage_baseline(args.work, max(1, args.repeat // 2), args.baseline_timeout)
        sys.stdout.write(json.dumps(result) + "\n")
        return
    about = machine()
    once: dict[str, Any] = {}
    if "extern" not in args.skip:
        with tempfile.TemporaryDirectory(prefix="bench-extern-") as tmp:
            once["extern"] = {"load_average_before": load_average(), **run_stage(args, "extern", Path(tmp), "extern")}
    if "embedders" not in args.skip:
        once["embedders"] = {"load_average_before": load_average(), **run_embedders(args.embedders_sample)}
    if once:
        print(once_table(once), flush=True)
    results = []
    for scale in args.scales.split(","):
        results.append(run_scale(args, scale))
        print(table(results[-1:]), flush=True)
    about["load_average_at_end"] = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": about, "options": {k: sorted(v) if isinstance(v, set) else str(v)
                                                                  for k, v in vars(args).items()},
                                    **once, "results": results}, indent=1) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
