"""Score ``ask`` on a question set (``tests/qa/questions.jsonl``): accuracy per kind, evidence, retrieval MRR.

A question is answered correctly when the answer text (answer + answer items) contains every
``expected`` string and one string of each ``expected_any`` group (case- and accent-insensitive);
a negative question must also say it was not found. Evidence is right when one cited line span
lies within ``tolerance`` lines of a gold span in the same document.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beleidsgraaf.errors import InputError
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries.answer import answerer
from beleidsgraaf.textkey import norm

NOT_FOUND = ("niet gevonden", "not found", "niet vermeld", "not stated", "noemen geen", "name no", "geen ")


@dataclass
class Outcome:
    id: str
    kind: str
    correct: bool
    evidence_ok: bool | None
    seconds: float
    answer: str


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    mrr: dict[str, float] = field(default_factory=dict)

    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / max(len(self.outcomes), 1)

    def per_kind(self) -> dict[str, float]:
        groups: dict[str, list[bool]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.kind].append(o.correct)
        return {k: sum(v) / len(v) for k, v in sorted(groups.items())}

    def evidence_accuracy(self) -> float:
        judged = [o.evidence_ok for o in self.outcomes if o.evidence_ok is not None]
        return sum(judged) / max(len(judged), 1)

    def latency(self) -> dict[str, float]:
        times = sorted(o.seconds for o in self.outcomes)
        if not times:
            return {}
        return {"p50_ms": 1000 * times[len(times) // 2], "p95_ms": 1000 * times[min(len(times) - 1, int(len(times) * 0.95))]}

    def as_dict(self) -> dict[str, Any]:
        return {
            "questions": len(self.outcomes),
            "accuracy": self.accuracy(),
            "per_kind": self.per_kind(),
            "evidence_accuracy": self.evidence_accuracy(),
            "mrr": self.mrr,
            "latency": self.latency(),
            "failures": [{"id": o.id, "kind": o.kind, "answer": o.answer[:300]} for o in self.outcomes if not o.correct],
        }


def load(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path}: no such question file")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path.name} line {number}: not JSON ({exc.msg})") from None
    return items


def _text_of(result: dict[str, Any]) -> str:
    parts = [result["answer"]] + [a["text"] for a in result["answers"]]
    return norm(" ".join(parts))


def is_correct(item: dict[str, Any], result: dict[str, Any]) -> bool:
    text = _text_of(result)
    if item.get("negative"):
        answer = result["answer"].lower()
        if not any(marker in answer for marker in NOT_FOUND):
            return False
    if not all(norm(e) in text for e in item.get("expected", [])):
        return False
    return all(any(norm(alt) in text for alt in group) for group in item.get("expected_any", []))


def evidence_ok(item: dict[str, Any], result: dict[str, Any], tolerance: int = 3) -> bool | None:
    gold = item.get("evidence") or []
    if not gold or item.get("negative"):
        return None
    cited = [e for a in result["answers"] for e in a["evidence"]]
    cited += [{"document": p["document"], "lines": p["lines"]} for p in result.get("passages", [])[:3]]
    for g in gold:
        for c in cited:
            if c["document"] != g["document"]:
                continue
            (a, b), (x, y) = g["lines"], c["lines"]
            if x <= b + tolerance and y >= a - tolerance:
                return True
    return False


def evaluate(store: EmbeddedStore, items: Iterable[dict[str, Any]], with_mrr: bool = True) -> Report:
    worker = answerer(store)
    report = Report()
    items = list(items)
    for item in items:
        started = time.perf_counter()
        result = worker.ask(item["question"])
        elapsed = time.perf_counter() - started
        report.outcomes.append(
            Outcome(item["id"], item["kind"], is_correct(item, result), evidence_ok(item, result), elapsed, result["answer"])
        )
    if with_mrr:
        report.mrr = retrieval_mrr(store, items)
    return report


def retrieval_mrr(store: EmbeddedStore, items: list[dict[str, Any]], k: int = 10) -> dict[str, float]:
    """Mean reciprocal rank of the first passage overlapping a gold span, per search mode."""
    from beleidsgraaf.queries.search import search

    judged = [i for i in items if i.get("evidence") and not i.get("negative")]
    scores: dict[str, float] = {}
    for mode in ("hybrid", "bm25", "dense"):
        total = 0.0
        run: Callable[[str], list[Any]] = lambda q, mode=mode: search(store, q, k, mode=mode)  # noqa: E731
        for item in judged:
            for rank, passage in enumerate(run(item["question"]), start=1):
                hit = any(
                    passage.document == g["document"] and passage.lines[0] <= g["lines"][1] and passage.lines[1] >= g["lines"][0]
                    for g in item["evidence"]
                )
                if hit:
                    total += 1 / rank
                    break
        scores[mode] = total / max(len(judged), 1)
    return scores
