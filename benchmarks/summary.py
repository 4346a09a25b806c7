"""benchmarks/results/*.json -> a markdown summary: ``python -m benchmarks.summary [files...] [--out SUMMARY.md]``.

One table of the scales (ingest, memory, ask, validate) and one of the named queries with a column per
scale. Later files win when two hold the same scale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _scale_key(result: dict[str, Any]) -> tuple[int, int]:
    scale = result["scale"]
    return (0, 0) if scale == "corpus" else (1, int(scale))


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _ratio(q: dict[str, Any]) -> str:
    if q.get("ratio") is not None:
        return f"{q['ratio']:.1f}x"
    if q.get("ratio_at_least") is not None:
        return f">={q['ratio_at_least']:.0f}x (rdflib timed out)"
    error = q.get("rdflib_error", "")
    return "not run" if "above the cap" in error else f"rdflib failed ({error[:40]})"


def scales_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| scale | triples | passages | ingest cold | lines/s | triples/s | unchanged re-ingest "
             "| product peak RSS (ingest / serving) | ask cold | ask warm p50 / p95 | validate ox "
             "| validate rdflib (ratio) | rdflib baseline RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        i, a, v, b = r["ingest"], r["ask"], r["validate"], r["baseline"]
        model = "" if i["dense_model"] else " (no dense model\u00b9)"
        again = f"{i['unchanged_reingest_s']:.1f} s" if i.get("unchanged_reingest_s") is not None else "not run"
        base = f"{v['rdflib']['p50_ms'] / 1000:.1f} s ({v['ratio']:.1f}x)" if v.get("ratio") else _ratio(v)
        base = "not compared" if "error" in v else base
        validated = f"{v['p50_ms'] / 1000:.2f} s" if "p50_ms" in v else f"not finished ({v['error']})"
        base_rss = f"{b['peak_rss_mib']:.0f} MiB" if "peak_rss_mib" in b else (b.get("not_run") or b.get("died") or "-")
        lines.append(
            f"| {r['scale']} | {i['triples']:,} | {i['passages']:,} | {i['cold_s']:.1f} s{model} | {i['lines_per_s']:.0f} "
            f"| {i['triples_per_s']:.0f} | {again} | {r['product_peak_rss_mib']:.0f} MiB ({i['peak_rss_mib']:.0f} / "
            f"{r['peak_rss_mib']:.0f}) | {a['cold_s']:.2f} s | {_ms(a['warm']['p50_ms'])} / {_ms(a['warm']['p95_ms'])} ms "
            f"| {validated} | {base} | {base_rss} |")
    return lines


def embedding_lines(results: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in results:
        if "embedding" in r:
            e, i = r["embedding"], r["ingest"]
            out.append(f"- scale {r['scale']}: {e['model']} embeds {e['passages_per_s']:.1f} passages/s ({e['sample']} sampled); "
                       f"{i['passages']:,} passages -> cold ingest with the model estimated at "
                       f"{i['estimated_cold_with_model_s'] / 60:.0f} min (estimate, not measured).")
    return out


def queries_table(results: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for r in results:
        names += [n for n in r["named_queries"] if n not in names]
    header = "| named query | " + " | ".join(f"{r['scale']}: rows, ox p50 / p95 ms, vs rdflib" for r in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]
    for name in names:
        cells = []
        for r in results:
            q = r["named_queries"].get(name)
            cells.append(f"{q['rows']}, {_ms(q['p50_ms'])} / {_ms(q['p95_ms'])}, {_ratio(q)}" if q else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def render(results: list[dict[str, Any]]) -> str:
    return "\n".join([
        "# Benchmark results", "",
        "Written by `python -m benchmarks.summary` from the JSON files beside it; how they were measured is in "
        "`benchmarks/__main__.py`.", "",
        *scales_table(results), "",
        "\u00b9 Synthetic scales ingest with placeholder passage vectors (`benchmarks/placeholder.py`): the dense model is "
        "not run, so these ingest figures exclude it. Its throughput, measured apart:", "",
        *embedding_lines(results), "",
        "Named queries: listing runs leave optional parameters empty (every row in the store); `[owner]`, `[programme]` "
        "and `[principle]` runs narrow them as ask and the API do when a question names a programme. Ratio = rdflib "
        "in-memory p50 / Oxigraph p50 on the same quads.", "",
        *queries_table(results), "",
        *([notes.read_text(encoding="utf-8")] if (notes := RESULTS / "NOTES.md").is_file() else [])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=RESULTS / "SUMMARY.md")
    args = parser.parse_args()
    by_scale: dict[str, dict[str, Any]] = {}
    for path in args.files or sorted(RESULTS.glob("bench*.json")):
        for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
            if "product_peak_rss_mib" in result:  # older runs measured memory with the baseline in the process
                by_scale[result["scale"]] = result
    results = sorted(by_scale.values(), key=_scale_key)
    args.out.write_text(render(results), encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
