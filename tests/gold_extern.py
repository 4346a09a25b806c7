"""Score extraction against the gold written by reading the corpus-extern PDFs (tests/gold/extern/).

The gold covers two programmes of each document. A programme's extracted records are those of the
document part whose programme has the gold programme's name; recall is the share of gold items
found, precision the share of extracted items that match a gold item. Labels match when their
comparison keys are equal, one contains the other, or they are nearly equal (rapidfuzz ratio >= 90,
the gold fixes hyphenation the PDF text keeps); amounts match on value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from beleidsgraaf.ingest.parts import extract_part
from beleidsgraaf.ingest.readers import read
from beleidsgraaf.ingest.records import Extraction
from beleidsgraaf.ingest.segment import plan_file
from beleidsgraaf.textkey import norm

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "extern"
from tests.conftest import EXTERN  # noqa: E402 - one place finds the shared data


@dataclass
class Score:
    found: int  # gold items matched
    gold: int
    correct: int  # extracted items matched
    extracted: int

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(self.found + other.found, self.gold + other.gold, self.correct + other.correct,
                     self.extracted + other.extracted)


def same_label(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if not x or not y:
        return False
    return x == y or (min(len(x), len(y)) >= 8 and (x in y or y in x)) or fuzz.ratio(x, y) >= 90


def score(gold: Iterable[object], found: Iterable[object], match: Callable[[object, object], bool]) -> Score:
    gold, found = list(gold), list(found)
    return Score(sum(1 for g in gold if any(match(g, f) for f in found)), len(gold),
                 sum(1 for f in found if any(match(g, f) for g in gold)), len(found))


def extractions(file_name: str) -> list[Extraction]:
    plan = plan_file(read(EXTERN / file_name))
    return [extract_part(plan, part, {}, set()) for part in plan.parts]


def by_programme(parts: list[Extraction], name: str) -> Extraction | None:
    return next((p for p in parts if p.document.programme and norm(p.document.programme) == norm(name)), None)


def load(file_name: str) -> dict:
    return json.loads((GOLD / f"{Path(file_name).stem}.json").read_text(encoding="utf-8"))


def evaluate(file_name: str) -> dict[str, Score]:
    """Precision and recall per kind (goals, efforts, budgets) over the gold programmes of one document."""
    gold = load(file_name)
    parts = extractions(gold["file"])
    totals: dict[str, Score] = {}
    for programme in gold["programmes"]:
        part = by_programme(parts, programme["name"])
        goals = [g.label for g in part.goals] if part else []
        efforts = [e.label for e in part.efforts] if part else []
        budgets = [b.amount for b in part.budgets] if part else []
        gold_budgets = [b["amount"] for b in programme["budgets"]] + [a["amount"] for a in programme.get("amounts_in_text", [])]
        scores = {
            "goals": score([g["label"] for g in programme["goals"]], goals, lambda g, f: same_label(str(g), str(f))),
            "efforts": score([e["label"] for e in programme["efforts"]], efforts,
                             lambda g, f: same_label(str(g), str(f))),
            "budgets": score(gold_budgets, budgets, lambda g, f: abs(float(g) - float(f)) < 0.5),  # type: ignore[arg-type]
        }
        for kind, value in scores.items():
            totals[kind] = totals[kind] + value if kind in totals else value
    return totals


if __name__ == "__main__":
    for path in sorted(GOLD.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for kind, value in evaluate(data["file"]).items():
            print(f"{data['file']:42} {kind:8} recall {value.recall:.2f} ({value.found}/{value.gold})  "
                  f"precision {value.precision:.2f} ({value.correct}/{value.extracted})")
