"""Intent recognition: which kind of question is this, and which handler answers it?

The intents are data, and ``intents.yaml`` is the only place one is defined: its cues, examples, slots, handler and
policies (see the header of that file). ``catalogue()`` reads and checks it once and resolves every handler with
importlib, so a misspelt handler, slot or policy fails on load rather than on the first question that needs it.

Routing adds three signals per intent, kept apart in ``Ranked.parts`` so a surprising choice can be read off:

- ``cues``: 2 x weight per cue hit (at most two) -- a cue is the intent's own word ("klopt", "afstemmen"); in a Dutch
  question, a word the documents never use that is a letter off a plain-words cue ("buget", "welke wjik") counts;
- ``examples``: how much closer the question is to this intent's examples than to the others', by the multilingual
  embedding model (the question's vector is the one search uses, so it is computed once per question); it breaks
  ties between cues, and it alone routes a question that has no cue word, where it counts double;
- ``slots``: -3 when the intent needs an entity kind the question does not name, -2 when it names one it avoids;

plus a small tie-break by order in the file (more specific intents first).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import yaml
from rapidfuzz.distance import OSA

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.queries.linking import Linked
from beleidsgraaf.textkey import norm

if TYPE_CHECKING:
    from beleidsgraaf.queries.replies import Context, Reply

INTENTS_FILE = Path(__file__).with_name("intents.yaml")
DUTCH = set(
    "de het een en van is zijn welke wat wie waar hoe hoeveel wordt worden moet ik bij voor met niet ook heeft "
    "hebben raken gaan noemt klopt".split()
)
ENGLISH = set(
    "the a an and of is are which what who where how many does do did for with not also has have name names reach add up".split()
)

# Entity kinds a slot may name: the linker's kinds; "buurt" for a ward name that is only a buurt (no wijk, dorp or
# stadsdeel of that name); and what is read off the question itself: a year, an amount, a role word.
SLOT_KINDS = frozenset("ward buurt gemeente programme document role person year amount effort goal unit partner body".split())
WHEN_EMPTY = ("not_found", "passage", "ask_document")
TEXT_FALLBACK = ("never", "when_uncovered", "always")
LANGUAGES = ("nl", "en")
MIN_EXAMPLES = 5
FIELDS = {"name", "handler", "slots", "avoid", "weight", "when_empty", "text_fallback", "generic", "narrowed_by", "counts",
          "off_topic", "topic", "cues", "examples"}

CUE_WEIGHT = 2.0  # per hit, times the intent's weight; at most two hits count
MAX_CUE_HITS = 2
# The examples' share (a softmax over the intents' similarities, summing to 1) times this. Hand-written cues are
# surer than the embedding (which picks the intent of about three questions in five on its own), so with a cue in
# the question the examples only weigh like half a cue hit: they choose between intents whose cues tie. A question
# without any cue word has nothing else: there they count double, and a clear choice (share above 0.75) passes
# MIN_INTENT_SCORE, so "wat wordt er in De Riet gedaan" reaches ward_efforts; an unclear one goes to the passages.
# 0.75 stays below the 0.8 by which the cue weights set "noemen zowel A als B" (shared) above "noemen A als" (relations).
EXAMPLE_WEIGHT = 0.75
CUELESS_EXAMPLE_WEIGHT = 2.0
# Cosine similarities of e5 vectors all lie in a narrow band; a low temperature spreads the intents' similarities
# into a clear first choice where there is one.
TEMPERATURE = 0.05
MISSING_SLOT = -3.0
AVOIDED_SLOT = -2.0
ORDER_STEP = 0.01
# Below this the best intent is no good guess and the passages answer.
MIN_INTENT_SCORE = 1.5
# A typo of a plain-words cue ("uren", "welke wijk"): words that hold one the documents never use and no cue matches,
# with the cue's first letter, one edit (a transposition counts as one) from the cue -- or, for a cue of at least
# PREFIX_CUE letters, from their start, since such cues are word starts ("afsteemen" ~ "afstem"). A shorter cue must
# match whole words ("kosmos" is no typo of "kost"). Only in Dutch questions: the documents are Dutch, so an English
# word is always "never used".
TYPO_LENGTH = 4
PREFIX_CUE = 6
LITERAL = re.compile(r"[a-zà-ÿ]+( [a-zà-ÿ]+)*")

YEAR = re.compile(r"\b(19|20)\d\d\b")
AMOUNT = re.compile(r"€\s?\d|\d\s?(euro|eur)\b|\b\d{1,3}(\.\d{3})+\b", re.I)


@dataclass(frozen=True)
class Intent:
    name: str
    handler: Callable[[Context], Reply] = field(compare=False)
    handler_path: str
    slots: tuple[str, ...]
    cues: tuple[re.Pattern[str], ...]
    examples: tuple[tuple[str, str], ...]  # (language, question)
    avoid: tuple[str, ...] = ()
    weight: float = 1.0
    when_empty: str = "not_found"
    text_fallback: str = "when_uncovered"
    generic: bool = False
    narrowed_by: int | None = None
    counts: bool = True
    off_topic: bool = False  # the intent of questions about anything but the documents (answer.py)
    topic: tuple[str, str] | None = None  # (nl, en): what an ask_document question offers to give
    literals: tuple[tuple[str, re.Pattern[str]], ...] = ()  # the cues that are plain words (text, cue): these tolerate a typo


class Ranked(NamedTuple):
    score: float
    intent: Intent
    parts: dict[str, float]
    typos: frozenset[str] = frozenset()  # question words taken for a cue of this intent


def _problem(name: str, text: str) -> BeleidsgraafError:
    return BeleidsgraafError(f"{INTENTS_FILE.name}: intent {name}: {text}")


def resolve(path: str, name: str = "?") -> Callable[..., Any]:
    """The function a "package.module:function" path names; an unknown one raises."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise _problem(name, f"handler {path!r} is not 'module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _problem(name, f"handler module {module_name} cannot be imported ({exc})") from exc
    function = getattr(module, attribute, None)
    if not inspect.isfunction(function):
        raise _problem(name, f"{module_name} has no function {attribute}")
    if len(inspect.signature(function).parameters) != 1:
        raise _problem(name, f"handler {path} must take one argument, the question's Context")
    return function


def _kinds(item: dict[str, Any], key: str) -> tuple[str, ...]:
    kinds = tuple(item.get(key) or ())
    unknown = set(kinds) - SLOT_KINDS
    if unknown:
        raise _problem(item["name"], f"unknown {key} kind(s) {sorted(unknown)}; known: {sorted(SLOT_KINDS)}")
    return kinds


def _intent(item: dict[str, Any]) -> Intent:
    name = item.get("name") or "?"
    extra = set(item) - FIELDS
    if extra:
        raise _problem(name, f"unknown field(s) {sorted(extra)}")
    examples = item.get("examples") or {}
    for lang in LANGUAGES:
        if len(examples.get(lang) or ()) < MIN_EXAMPLES:
            raise _problem(name, f"needs at least {MIN_EXAMPLES} {lang} examples")
    when_empty = item.get("when_empty", "not_found")
    text_fallback = item.get("text_fallback", "when_uncovered")
    if when_empty not in WHEN_EMPTY:
        raise _problem(name, f"when_empty {when_empty!r} is not one of {WHEN_EMPTY}")
    if text_fallback not in TEXT_FALLBACK:
        raise _problem(name, f"text_fallback {text_fallback!r} is not one of {TEXT_FALLBACK}")
    topic = item.get("topic")
    if when_empty == "ask_document" and not (isinstance(topic, dict) and all(topic.get(lang) for lang in LANGUAGES)):
        raise _problem(name, "when_empty: ask_document needs a topic in nl and en (what the answer would give)")
    return Intent(
        name=name,
        handler=resolve(str(item.get("handler") or ""), name),
        handler_path=str(item["handler"]),
        slots=_kinds(item, "slots"),
        cues=tuple(re.compile(c, re.I) for c in item.get("cues") or ()),
        examples=tuple((lang, str(text)) for lang in LANGUAGES for text in examples[lang]),
        avoid=_kinds(item, "avoid"),
        weight=float(item.get("weight", 1.0)),
        when_empty=when_empty,
        text_fallback=text_fallback,
        generic=bool(item.get("generic", False)),
        narrowed_by=item.get("narrowed_by"),
        counts=bool(item.get("counts", True)),
        off_topic=bool(item.get("off_topic", False)),
        topic=(topic["nl"], topic["en"]) if topic else None,
        literals=tuple((text, re.compile(c, re.I)) for c in item.get("cues") or ()
                       if LITERAL.fullmatch(text := c.replace("\\b", "").lower()) and len(text) >= TYPO_LENGTH),
    )


@cache
def _data() -> dict[str, Any]:
    return yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8"))


@cache
def catalogue() -> tuple[Intent, ...]:
    intents = tuple(_intent(item) for item in _data()["intents"])
    names = [i.name for i in intents]
    if len(set(names)) != len(names):
        raise BeleidsgraafError(f"{INTENTS_FILE.name}: intent names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return intents


def by_name(name: str) -> Intent:
    return next(i for i in catalogue() if i.name == name)


@cache
def role_words() -> dict[str, tuple[str, ...]]:
    return {role: tuple(words) for role, words in (_data().get("role_words") or {}).items()}


@cache
def _role_pattern() -> re.Pattern[str]:
    """Any name of a role: the ontology's labels (both languages) and the extra words of ``role_words``."""
    from beleidsgraaf.queries import vocabulary

    names = {norm(vocabulary.label(role, lang)) for role in vocabulary.concepts("rollen") for lang in LANGUAGES}
    names |= {norm(word) for words in role_words().values() for word in words}
    alternatives = "|".join(re.escape(n) for n in sorted(filter(None, names), key=len, reverse=True))
    return re.compile(rf"\b({alternatives})\b")


def language(question: str) -> str:
    words = re.findall(r"[a-zà-ÿ]+", question.lower())
    nl = sum(w in DUTCH for w in words)
    en = sum(w in ENGLISH for w in words)
    return "en" if en > nl else "nl"


def kinds_in(question: str, linked: Linked) -> set[str]:
    """The slot kinds a question fills: the kinds of the resources it names (a buurt apart), and a year, an amount
    or a role."""
    kinds = {e.kind for m in linked.mentions for e in m.entities}
    if any(m.entities and all(e.cls == "Buurt" for e in m.entities) for m in linked.mentions):
        kinds.add("buurt")
    if YEAR.search(question):
        kinds.add("year")
    if AMOUNT.search(question):
        kinds.add("amount")
    if _role_pattern().search(norm(question)):
        kinds.add("role")
    return kinds


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-9)


def _example_key(text: str) -> str:
    # "query: " as e5 reads the text: the same text embedded as a passage is another vector in the same cache folder.
    return hashlib.sha256(f"query: {text}".encode()).hexdigest()


@cache
def _centroids(model: str) -> tuple[np.ndarray, np.ndarray]:
    """(centre, one unit vector per intent): the mean of all examples, and each intent's mean direction from it.

    Every e5 vector shares a large common part (two unrelated questions have cosine ~0.8), and an example's
    names (Hofkamp, Zorg) weigh as much as its wording. Taking the common part away and averaging an intent's
    examples, which name different wards and programmes, leaves what its questions share: the kind of question.
    Example vectors go through the per-user embedding cache, so a new process does not embed them again."""
    from beleidsgraaf.ingest import embedcache, embedding

    texts = [text for intent in catalogue() for _, text in intent.examples]
    engine = embedding.question_model(model)  # the engine questions are embedded with (search.query_vector)
    store_name = f"{engine}.query"
    cached = embedcache.read(store_name)
    missing = [t for t in dict.fromkeys(texts) if _example_key(t) not in cached]
    if missing:
        embedder = embedding.load(engine)
        fresh = {_example_key(t): embedder.query(t).astype(np.float16) for t in missing}
        embedcache.add(store_name, fresh)
        cached.update(fresh)
    vectors = np.stack([cached[_example_key(t)] for t in texts]).astype(np.float32)
    centre = vectors.mean(axis=0)
    centred = _unit(vectors - centre)
    rows, start = [], 0
    for intent in catalogue():
        count = len(intent.examples)
        rows.append(centred[start : start + count].mean(axis=0))
        start += count
    return centre, _unit(np.stack(rows))


def similarity(vector: np.ndarray, model: str) -> dict[str, float]:
    """Each intent's share of the question by its examples (sums to 1 over the intents)."""
    centre, centroids = _centroids(model)
    cosines = centroids @ _unit(np.asarray(vector, dtype=np.float32) - centre)
    weights = np.exp((cosines - cosines.max()) / TEMPERATURE)
    shares = weights / weights.sum()
    return {intent.name: float(share) for intent, share in zip(catalogue(), shares, strict=True)}


def question_vector(question: str, model: str | None = None) -> tuple[np.ndarray, str] | None:
    """The question's embedding as search computes it (cached there), with the model's name; None without a model."""
    from beleidsgraaf.ingest import embedding
    from beleidsgraaf.queries.search import clean, query_vector

    try:
        name = embedding.model_name(model)
        return query_vector(name, clean(question)), name
    except BeleidsgraafError:
        return None  # no embedding model installed: cues and slots still route


def _typo_of(words: str, cue: str) -> bool:
    words = words.replace("y", "ij")  # "looptyd": Dutch typists write y for ij
    if words[0] != cue[0]:
        return False
    lengths = range(len(cue) - 1, len(cue) + 2) if len(cue) >= PREFIX_CUE else (len(words),)
    return min(OSA.distance(cue, words[:k]) for k in lengths) <= 1


@cache
def _all_cues() -> tuple[re.Pattern[str], ...]:
    return tuple(cue for intent in catalogue() for cue in intent.cues)


def _words(question: str, linked: Linked) -> list[str]:
    """The question's words outside the names it links."""
    text = question
    for mention in linked.mentions:
        text = text.replace(mention.text, " ")
    return norm(text).split()


def unknown_words(question: str, linked: Linked, known: frozenset[str]) -> set[str]:
    """The words of a Dutch question that the documents never use and no cue matches: candidates for typos."""
    if language(question) != "nl":
        return set()
    return {w for w in _words(question, linked) if len(w) >= TYPO_LENGTH and w.isalpha() and w not in known
            and not any(cue.search(w) for cue in _all_cues())}


def _cue_hits(intent: Intent, question: str, words: list[str], unknown: set[str]) -> tuple[int, frozenset[str]]:
    """How many of the intent's cues the question holds, typos of plain cues included, and the words so read."""
    hits = sum(1 for cue in intent.cues if cue.search(question))
    typos: set[str] = set()
    for text, cue in intent.literals if unknown else ():
        if cue.search(question):
            continue
        size = text.count(" ") + 1
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if unknown & set(gram) and _typo_of(" ".join(gram), text):
                hits += 1
                typos |= unknown & set(gram)
                break
    return hits, frozenset(typos)


def rank(question: str, linked: Linked, vector: tuple[np.ndarray, str] | None = None,
         known: frozenset[str] = frozenset()) -> list[Ranked]:
    """Every intent with its score and the parts it is made of, best first. ``vector`` is (embedding, model) of the
    question when the caller has it; otherwise it is computed (and cached for the search that follows). ``known``:
    the words of the documents, so that a word outside them may be read as a typo of a cue (none without it)."""
    kinds = kinds_in(question, linked)
    embedded = vector if vector is not None else question_vector(question)
    shares = similarity(*embedded) if embedded is not None else {}
    unknown = unknown_words(question, linked, known) if known else set()
    words = _words(question, linked)
    hits = {intent.name: _cue_hits(intent, question, words, unknown) for intent in catalogue()}
    weight = EXAMPLE_WEIGHT if any(count for count, _ in hits.values()) else CUELESS_EXAMPLE_WEIGHT
    ranked = []
    for order, intent in enumerate(catalogue()):
        count, typos = hits[intent.name]
        parts = {
            "cues": CUE_WEIGHT * intent.weight * min(count, MAX_CUE_HITS),
            "examples": weight * shares.get(intent.name, 0.0),
            "slots": (MISSING_SLOT if intent.slots and not set(intent.slots) & kinds else 0.0)
            + (AVOIDED_SLOT if set(intent.avoid) & kinds else 0.0),
            "order": -ORDER_STEP * order,
        }
        ranked.append(Ranked(sum(parts.values()), intent, parts, typos))
    ranked.sort(key=lambda r: -r.score)
    return ranked


@cache
def domain_words() -> frozenset[str]:
    """The words of the example questions of every intent but the off-topic one: what questions about the documents
    are made of ("doelen", "goals", "budget", "wijkregisseur")."""
    return frozenset(w for intent in catalogue() if not intent.off_topic for _, q in intent.examples for w in norm(q).split())
