"""Intent recognition: which kind of question is this? Cue words plus fuzzy similarity to examples.

The intents are data (``intents.yaml``). Scores are deliberately simple and inspectable: a cue hit
counts most, a close example adds a little, and an intent whose needed entity kind is absent from
the question loses. The lead's eval (``beleidsgraaf eval``) measures how well this carries over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from beleidsgraaf.queries.linking import Linked

INTENTS_FILE = Path(__file__).with_name("intents.yaml")
DUTCH = set(
    "de het een en van is zijn welke wat wie waar hoe hoeveel wordt worden moet ik bij voor met niet ook heeft "
    "hebben raken gaan noemt klopt".split()
)
ENGLISH = set(
    "the a an and of is are which what who where how many does do did for with not also has have name names reach add up".split()
)


@dataclass(frozen=True)
class Intent:
    name: str
    needs: tuple[str, ...]
    cues: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]
    weight: float = 1.0
    avoid: tuple[str, ...] = ()


@cache
def catalogue() -> tuple[Intent, ...]:
    data = yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Intent(
            item["name"],
            tuple(item.get("needs") or ()),
            tuple(re.compile(c, re.I) for c in item.get("cues") or ()),
            tuple(item.get("examples") or ()),
            float(item.get("weight", 1.0)),
            tuple(item.get("avoid") or ()),
        )
        for item in data["intents"]
    )


@cache
def role_words() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8"))
    return {role: tuple(words) for role, words in (data.get("role_words") or {}).items()}


def language(question: str) -> str:
    words = re.findall(r"[a-zà-ÿ]+", question.lower())
    nl = sum(w in DUTCH for w in words)
    en = sum(w in ENGLISH for w in words)
    return "en" if en > nl else "nl"


def rank(question: str, linked: Linked) -> list[tuple[float, Intent]]:
    kinds = {e.kind for m in linked.mentions for e in m.entities}
    scored = []
    for order, intent in enumerate(catalogue()):
        hits = sum(1 for cue in intent.cues if cue.search(question))
        similarity = max((fuzz.token_set_ratio(question, ex) for ex in intent.examples), default=0) / 100
        score = 2.0 * intent.weight * min(hits, 2) + similarity - order * 0.01
        if intent.needs and not (set(intent.needs) & kinds):
            score -= 3.0
        if set(intent.avoid) & kinds:
            score -= 2.0
        scored.append((score, intent))
    scored.sort(key=lambda pair: -pair[0])
    return scored
