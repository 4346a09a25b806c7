"""A synthetic scale corpus in the corpus's own text format.

    python -m benchmarks.synth N [--out DIR]

Each of the N municipalities gets the three kinds of Almelo documents re-issued under its own
name: the bundle of programme contracts (goals at every level, efforts, roles, budget tables),
the wijksturing contract (its DIN) and the ward plan (wijken, dorpen and their buurten lists).
Amounts are scaled per municipality so the tables differ but still add up, except in every
fourth municipality, where one table row is off by 1.000 (a deliberate sum error that
``validate`` must find). One municipality is about 18k triples; N=55 gives about 1 M.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ("almelo-2019-programmacontracten.txt", "almelo-2020-contract-wijksturing.txt",
             "almelo-2023-plan-leefbare-wijken-en-dorpen.txt")
AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,]*\d)")
FIRST = ["Hoog", "Laag", "Oost", "West", "Noord", "Zuid", "Groot", "Klein", "Nieuw", "Oud", "Sint", "Ter"]
SECOND = ["veen", "dam", "horst", "broek", "wolde", "hoven", "loo", "berg", "dijk", "zande", "haar", "lo"]


def town_name(index: int) -> str:
    """Deterministic, distinct, Dutch-looking and free of 'Almelo'."""
    first, second = FIRST[index % len(FIRST)], SECOND[(index // len(FIRST)) % len(SECOND)]
    round_ = index // (len(FIRST) * len(SECOND))
    return f"{first}{second}" + (f"-{round_ + 1}" if round_ else "")


def _amounts(text: str, factor: int) -> str:
    def scale(match: re.Match[str]) -> str:
        value = int(match.group(0).replace(".", "")) * factor
        return f"{value:,}".replace(",", ".")

    return AMOUNT.sub(scale, text)


def _sum_error(lines: list[str], rng: random.Random) -> list[str]:
    """Bump one amount on a row just above a 'Totaal' row: the stated total no longer matches."""
    candidates = []
    for n, line in enumerate(lines):
        if line.strip().lower().startswith("totaal") and AMOUNT.search(line):
            above = [m for m in range(max(0, n - 4), n) if AMOUNT.search(lines[m])]  # PDF text: blank lines between rows
            candidates += above[-1:]
    if candidates:
        row = rng.choice(candidates)
        match = AMOUNT.search(lines[row])
        assert match is not None
        bumped = f"{int(match.group(0).replace('.', '')) + 1000:,}".replace(",", ".")
        lines[row] = lines[row][:match.start()] + bumped + lines[row][match.end():]
    return lines


def municipality(index: int, out: Path) -> list[tuple[str, str, str]]:
    """Write one municipality's files; returns their MANIFEST rows (file, municipality, title)."""
    name = town_name(index)
    slug = name.lower()
    rng = random.Random(index)
    rows = []
    for template in TEMPLATES:
        text = (ROOT / "corpus" / template).read_text(encoding="utf-8")
        text = text.replace("ALMELO", name.upper()).replace("Almelo", name).replace("almelo", slug)
        text = _amounts(text, 1 + index % 4)
        lines = text.split("\n")
        if index % 4 == 3:
            lines = _sum_error(lines, rng)
        target = template.replace("almelo", slug)
        (out / target).write_text("\n".join(lines), encoding="utf-8")
        rows.append((target, name, template.split("-", 2)[2].removesuffix(".txt").replace("-", " ")))
    return rows


def generate(count: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    manifest = ["file\tmunicipality\tyear\ttitle\tnotes"]
    for index in range(count):
        for file, town, title in municipality(index, out):
            year = re.findall(r"-(\d{4})-", file)[0]
            manifest.append(f"{file}\t{town}\t{year}\t{title}\tsynthetic (benchmarks/synth.py)")
    (out / "MANIFEST.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return sorted(out.glob("*.txt"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of municipalities")
    parser.add_argument("--out", type=Path, default=None, help="folder (default benchmarks/synth-N)")
    args = parser.parse_args()
    files = generate(args.n, args.out or ROOT / "benchmarks" / f"synth-{args.n}")
    lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    print(f"{len(files)} files, {lines} lines -> {files[0].parent}")


if __name__ == "__main__":
    main()
