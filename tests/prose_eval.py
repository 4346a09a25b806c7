"""Score ingest/prose.py against the gold (tests/gold/*.json, tests/gold/extern/*.json).

The word lists in ingest/vocabularies/prose.yaml were tuned on TUNED; HELD_APART was only scored.
The gold lists the goals and efforts of each document wherever they stand (lists, headings and
sentences), so recall here is the share of all gold items the sentence rules reach, and precision
the share of what they find that the gold names; a sentence commitment the gold writer did not
list counts against precision. ``python -m tests.prose_eval`` prints the table.
"""

from __future__ import annotations

import io
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from beleidsgraaf.ingest.profiles import choose_profile
from beleidsgraaf.ingest.prose import ProseRecords, find_prose
from beleidsgraaf.ingest.readers import read
from beleidsgraaf.ingest.segment import plan_file
from beleidsgraaf.ingest.structure import Structure
from beleidsgraaf.textkey import norm

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
CORPUS = ROOT / "corpus"
from tests.conftest import EXTERN  # noqa: E402 - one place finds the shared data

TUNED = ("almelo-2008-notitie-wijkaanpak.txt", "almelo-2020-contract-wijksturing.txt", "wassenaar-2023-jaarstukken.pdf")
HELD_APART = ("almelo-2023-plan-leefbare-wijken-en-dorpen.txt", "utrecht-2011-wijkgericht-werken.txt",
              "almelo-2019-programmacontracten.txt", "wassenaar-2024-programmabegroting.pdf")
MARKER = re.compile(r"^\s*(?:[-•·▪◦*–o\uf0b7\uf0a7]|[\ue000-\uf8ff]|\(?[a-zA-Z]\)|[a-z][.)]|[IVX]{1,4}[.)]"
                    r"|\d{1,2}(?:\.\d{1,2})*[.)]?(?=\s))\s*")


def same_label(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if not x or not y:
        return False
    return x == y or (min(len(x), len(y)) >= 8 and (x in y or y in x)) or fuzz.ratio(x, y) >= 85


@dataclass
class GoldItem:
    label: str
    first: int | None  # line in the reader's text; None for the extern gold (pages only)
    listed: bool  # the gold item's line opens with a bullet or number marker


@dataclass
class Score:
    found: int
    gold: int
    correct: int
    extracted: int

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.found + other.found, self.gold + other.gold, self.correct + other.correct,
                     self.extracted + other.extracted)


@dataclass
class Part:
    """One scored stretch of a file: a gold document (corpus) or a gold programme (extern)."""

    file: str
    name: str
    first: int
    last: int
    goals: list[GoldItem]
    efforts: list[GoldItem]


def path_of(file: str) -> Path:
    return EXTERN / file if file.endswith(".pdf") else CORPUS / file


@cache
def structure_of(file: str) -> Structure:
    source = read(path_of(file))
    return Structure(source.lines, choose_profile(source.lines))


@cache
def documents(file: str) -> tuple[tuple[int, int, int | None], ...]:
    """(first, last, year) of each document the ingest plan makes of the file: the year ingest would pass."""
    plan = plan_file(read(path_of(file)))
    return tuple((p.document.first, p.document.last, p.document.year) for p in plan.parts)


def year_of(file: str, first: int, last: int) -> int | None:
    overlap = [(min(last, b) - max(first, a), year) for a, b, year in documents(file)]
    return max(overlap)[1] if overlap else None


def _page_starts(file: str) -> list[int]:
    """First line of each PDF page in the reader's text (the reader joins the pages with a newline)."""
    from pypdf import PdfReader

    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO((EXTERN / file).read_bytes()), strict=False).pages]
    starts, offset = [], 1
    for page in pages:
        starts.append(offset)
        offset += page.count("\n") + 1
    return starts


def parts(file: str) -> list[Part]:
    lines = structure_of(file).lines
    if file.endswith(".pdf"):
        gold = json.loads((GOLD / "extern" / f"{Path(file).stem}.json").read_text(encoding="utf-8"))
        starts = _page_starts(file)
        out = []
        for programme in gold["programmes"]:
            first_page, last_page = programme["pages"]
            first = starts[first_page - 1]
            last = starts[last_page] - 1 if last_page < len(starts) else len(lines)
            goals = [GoldItem(g["label"], None, g.get("number") is not None) for g in programme["goals"]]
            efforts = [GoldItem(e["label"], None, e.get("number") is not None) for e in programme["efforts"]]
            out.append(Part(file, programme["name"], first, last, goals, efforts))
        return out
    out = []
    for path in sorted(GOLD.glob(f"{Path(file).stem}__*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        first, last = gold["document"]["lines"]

        def item(entry: dict) -> GoldItem:
            line = entry["lines"][0]
            return GoldItem(entry["label"], line, bool(MARKER.match(lines[line - 1])))

        goals = [item(g) for g in gold.get("visie", []) + gold.get("goals", [])]
        efforts = [item(e) for e in gold.get("efforts", [])]
        if goals or efforts:
            out.append(Part(file, path.stem.split("__")[1], first, last, goals, efforts))
    return out


def run(part: Part) -> ProseRecords:
    return find_prose(structure_of(part.file), part.first, part.last, year=year_of(part.file, part.first, part.last))


def score(gold: list[GoldItem], found: list[str]) -> Score:
    return Score(sum(1 for g in gold if any(same_label(g.label, f) for f in found)), len(gold),
                 sum(1 for f in found if any(same_label(g.label, f) for g in gold)), len(found))


def evaluate(file: str) -> dict[str, Score]:
    """Per kind ('goals', 'efforts') and for gold items outside lists ('prose_goals', 'prose_efforts')."""
    totals: dict[str, Score] = {}
    for part in parts(file):
        records = run(part)
        goals, efforts = [g.label for g in records.goals], [e.label for e in records.efforts]
        scores = {
            "goals": score(part.goals, goals),
            "efforts": score(part.efforts, efforts),
            "prose_goals": score([g for g in part.goals if not g.listed], goals),
            "prose_efforts": score([e for e in part.efforts if not e.listed], efforts),
        }
        for key, value in scores.items():
            totals[key] = totals[key] + value if key in totals else value
    return totals


def main() -> None:
    for group, files in (("tuned", TUNED), ("held apart", HELD_APART)):
        print(f"== {group}")
        for file in files:
            result = evaluate(file)
            for kind in ("goals", "efforts"):
                s, p = result[kind], result[f"prose_{kind}"]
                print(f"{file:48} {kind:7} recall {s.recall:4.2f} ({s.found:2}/{s.gold:2})  precision "
                      f"{s.precision:4.2f} ({s.correct:2}/{s.extracted:3})  non-list gold found {p.found:2}/{p.gold:2}")


if __name__ == "__main__":
    sys.exit(main())
