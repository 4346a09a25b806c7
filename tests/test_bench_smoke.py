"""A smoke run of the benchmarks at the smallest scale, so CI notices when they break (no timing asserts)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_benchmark_runs_at_corpus_scale_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--scales", "corpus", "--repeat", "1", "--questions", "2",
                           "--embedder", "placeholder", "--embed-sample", "8", "--skip", "reingest,extern,embedders",
                           "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dense model NOT run" in done.stdout and "validate" in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["machine"]["cpus"] > 0 and len(written["machine"]["load_average_at_start"]) == 3
    result = written["results"][0]
    assert result["ingest"]["triples"] > 10_000 and result["ingest"]["lines"] > 15_000 and result["ingest"]["passages"] > 1000
    assert {"wards", "programmes", "efforts-in-ward"} <= set(result["named_queries"])
    compared = [q for q in result["named_queries"].values() if q["ratio"] is not None]
    # every named query runs on both engines (rdflib once failed on wards' DISTINCT aggregate over an OPTIONAL)
    assert len(compared) == len(result["named_queries"]) >= 20 and all(q["p50_ms"] > 0 for q in compared)
    assert result["named_queries"]["wards"]["page"]["n"] == 1 and result["named_queries"]["wards"]["count"]["p95_ms"] > 0
    assert result["validate"]["ratio"] > 0 and result["validate"]["findings"] > 0 and result["ask"]["warm"]["n"] == 2
    assert set(result["search"]) >= {"hybrid", "bm25", "dense", "ratio_bm25", "ratio_dense"}
    assert result["embedding"]["sample"] == 8 and result["embedding"]["passages_per_s"] > 0
    # the product's memory is measured without the baseline's, which is reported apart
    assert result["product_peak_rss_mib"] == max(result["ingest"]["peak_rss_mib"], result["peak_rss_mib"]) > 0
    assert result["baseline"]["load_s"] > 0 and result["baseline"]["peak_rss_mib"] > 0


def test_baseline_above_the_cap_is_reported_not_run(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--scales", "corpus", "--repeat", "1", "--questions", "1",
                           "--embedder", "placeholder", "--embed-sample", "4", "--skip", "reingest,extern,embedders",
                           "--baseline-cap", "1000",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))["results"][0]
    assert result["baseline"]["not_run"].endswith("triples above the cap of 1000")
    assert all(q["ratio"] is None and "above the cap" in q["rdflib_error"] for q in result["named_queries"].values())


def test_synthetic_municipalities_are_distinct_and_every_fourth_has_a_sum_error(tmp_path):
    from benchmarks.synth import generate, town_name

    files = generate(4, tmp_path)
    assert len(files) == 12 and len({town_name(i) for i in range(200)}) == 200
    manifest = (tmp_path / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    assert len(manifest) == 13 and all("Almelo" not in f.read_text(encoding="utf-8") for f in files)
    from benchmarks.synth import ROOT as SYNTH_ROOT
    from benchmarks.synth import _amounts

    name = town_name(3)
    template = (SYNTH_ROOT / "corpus" / "almelo-2019-programmacontracten.txt").read_text(encoding="utf-8")
    expected = _amounts(template.replace("ALMELO", name.upper()).replace("Almelo", name).replace("almelo", name.lower()), 4)
    got = (tmp_path / f"{name.lower()}-2019-programmacontracten.txt").read_text(encoding="utf-8")
    differing = [(x, y) for x, y in zip(expected.split("\n"), got.split("\n"), strict=True) if x != y]
    assert len(differing) == 1  # exactly one table row is off by 1.000, the rest scaled consistently
