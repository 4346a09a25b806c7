"""Answer a question in Dutch or English with values from the graph and the lines they come from.

Steps: link the names in the question (``linking``), recognise the intent (``intents``, from the registry
``intents.yaml``), run the intent's handler (named queries with bound parameters, sums, counts, "does the total add
up"), and write a short answer in the question's language. When nothing in the graph answers it, the intent's
``when_empty`` says what follows: "not found" with what was found nearby, the passages, or a question back; when no
intent fits, the answer comes from the best passages and says so.

This module holds the entry points; the handlers live in ``handlers_*``, the passage answers in ``text_answers``,
the reply shapes in ``replies``, the sentences in ``messages.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from rapidfuzz import fuzz

from beleidsgraaf.errors import NotFoundError
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import intents
from beleidsgraaf.queries.handlers_wards import ward_contacts, ward_rules
from beleidsgraaf.queries.linking import EntityIndex, Linked, link
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, Row, distinct, evidence_of, lines_of, run_named, shorten
from beleidsgraaf.queries.scope import narrow_links, within
from beleidsgraaf.queries.text_answers import (
    _completed,
    _load_texts,
    _needs_text,
    _passages,
    _scope,
    _unexplained,
    _with_stated_counts,
    passage,
    passage_items,
    words_in_documents,
)
from beleidsgraaf.textkey import norm

# What callers import from here (api, reports, evaluate, benchmarks, tests); the rest lives in the modules above.
__all__ = [
    "Answerer",
    "Context",
    "Evidence",
    "Item",
    "Reply",
    "Row",
    "answerer",
    "ask",
    "ask_many",
    "evidence_of",
    "run_named",
    "ward_contacts",
    "ward_rules",
]

MAX_QUESTION = 2000
MAX_ITEMS = 50
COUNT_WORDS = re.compile(r"\bhoeveel\b|\bhow many\b|\baantal\b|\bnumber of\b", re.I)
KIND_NOUNS = r"(programma|programme|program|wijk|ward|buurt|dorp|village|neighbourhood|district)"


def _named_as_kind(name: str, question: str) -> bool:
    return bool(re.search(rf"\b{KIND_NOUNS}\s+{re.escape(name)}\b|\b{re.escape(name)}[- ]{KIND_NOUNS}\b", question, re.I))


SAME_NAME = 88  # rapidfuzz ratio from which two spellings are one name ("Sluitersveld", "Sluiterseveld": 96; not
# "begroting" for Begroting 2024: 82)


def _spelling_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", norm(text.replace("&", " en ")))


def _spellings(ctx: Context) -> str:
    """"'Sluitersveld' staat in de documenten als 'Sluiterseveld'.": the user's spelling kept, the documents' beside it
    (not for a difference of case, spaces, hyphens or an article)."""
    notes = []
    for mention in ctx.linked.mentions:
        used = mention.entities[0].label if mention.entities else None
        if not used or _spelling_key(used) in _spelling_key(mention.name):
            continue
        # A mention may take a word before the name along ("raken Sluitersveld"): as many words as the name has.
        asked = " ".join(mention.name.split()[-len(used.split()):])
        # A spelling variant, not a part of the name ("wijksturing" for Contract Wijksturing) nor another name.
        if _spelling_key(asked) != _spelling_key(used) and fuzz.ratio(_spelling_key(asked), _spelling_key(used)) >= SAME_NAME:
            notes.append(ctx.say("spelling", asked=asked, used=used))
    return " ".join(dict.fromkeys(notes))


def _result(ctx: Context, reply: Reply, intent: str | None) -> dict[str, Any]:
    spelling = _spellings(ctx)
    return {
        "question": ctx.question,
        "intent": intent,
        "answer": f"{spelling} {reply.answer}" if spelling else reply.answer,
        "answers": [i.as_dict() for i in reply.items[:MAX_ITEMS]],
        "passages": ctx.passages,
        "sparql": reply.sparql,
    }


class Answerer:
    """Holds the entity index and models for one store generation; answers many questions."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.index = EntityIndex(store)
        self.texts = _load_texts(store)
        self.documents = run_named(store, "documents")[0]
        self.model = _search_model(store)
        self.vocabulary = frozenset(w for t in self.texts for w in t["norm"].split())  # a word outside it may be a typo

    def _in_text(self, name: str) -> bool:
        key = f" {norm(name)} "
        return any(key in f" {t['norm']} " for t in self.texts)

    def ask(self, question: str) -> dict[str, Any]:
        question = (question or "").strip()
        if not question:
            raise ValueError("empty question")
        if len(question) > MAX_QUESTION:
            raise ValueError(f"question longer than {MAX_QUESTION} characters")
        lang = intents.language(question)
        linked = narrow_links(self.store, link(question, self.index))
        # A capitalised word the documents do use ("lobby richting het Rijk") is no unknown name, only not a
        # resource; unless the question calls it a programme or ward ("the Sport programme").
        linked.unknown = [name for name in linked.unknown if _named_as_kind(name, question) or not self._in_text(name)]
        # Routing and search embed the same text with the same model: the vector is computed once (search caches it).
        ranked = intents.rank(question, linked, intents.question_vector(question, self.model), self.vocabulary)
        scope = _scope(self.documents, linked)
        off_topic = _off_topic(ranked, linked, lambda: words_in_documents(question, linked, self.store))
        if off_topic is not None:
            ctx = Context(self.store, question, lang, linked, self.index, self.texts, [])
            return _result(ctx, off_topic.intent.handler(ctx), off_topic.intent.name)
        best = ranked[0]
        ctx = Context(self.store, question, lang, linked, self.index, self.texts, _passages(self.store, question, scope=scope))
        if best.score < intents.MIN_INTENT_SCORE or _needs_text(question, best.intent, linked, ctx.passages, None, best.typos):
            return self._from_passages(ctx, scope)
        reply = within(ctx, best.intent.handler(ctx), self.documents)
        if _needs_text(question, best.intent, linked, ctx.passages, reply, best.typos):
            return self._from_passages(ctx, scope)
        if not reply.found:
            # "Wat wil Wassenaar bereiken op het gebied van duurzaamheid?" names a topic, not a document: the
            # passages on it answer better than a question back.
            topical = reply.missing == "document" and _unexplained(question, best.intent, linked, best.typos)
            if ctx.passages and (best.intent.when_empty == "passage" or topical):
                return self._from_passages(ctx, scope)
            reply = _when_empty(ctx, best.intent, reply)
        elif COUNT_WORDS.search(question) and reply.items and best.intent.counts:
            counted = reply.count if reply.count is not None else distinct(reply.items)
            reply.answer = ctx.say("count", count=counted) + " " + reply.answer
        result = _result(ctx, reply, best.intent.name)
        # The counts the text states answer "hoeveel X"; a computed difference ("hoeveel meer") is no count.
        return _with_stated_counts(result, scope, ctx) if best.intent.counts else result

    def _from_passages(self, ctx: Context, scope: list[tuple[str, int, int]]) -> dict[str, Any]:
        """The passage answer; no intent is reported, since no graph query answered."""
        return _with_stated_counts(_result(ctx, passage(ctx), None), scope, ctx)


def _cites(items: list[Item], passage: dict[str, Any]) -> bool:
    """Whether an item already cites lines of the passage (then quoting it again repeats it)."""
    first, last = passage["lines"]
    return any(e.document == passage["document"] and e.lines[0] <= last and first <= e.lines[1]
               for item in items for e in item.evidence)


DOMAIN_WORDS = 2  # content words the documents use that make a question theirs, when they are all it has


def _off_topic(ranked: list[intents.Ranked], linked: Linked,
               words: Callable[[], tuple[list[str], list[str]]]) -> intents.Ranked | None:
    """The off-topic intent (``off_topic: true`` in intents.yaml) when the question is closest to its examples and
    names nothing of the graph but a
    municipality: a cue word ("wie", "hoeveel kost") in a question about football or phones routes it to a
    handler whose list would answer nothing asked."""
    closest = max(ranked, key=lambda r: r.parts["examples"])
    if not closest.intent.off_topic:
        return None
    named = {entity.kind for mention in linked.mentions for entity in mention.entities}
    if not named <= {"gemeente"}:
        return None
    content, held = words()  # read only for a question that looks off-topic
    ours = len(held) >= DOMAIN_WORDS and len(held) == len(content)  # "winkeldiefstallen per 1.000 inwoners"
    asked_like_ours = bool(set(content) & intents.domain_words())  # "Which goals are there?"
    return None if ours or asked_like_ours else closest


def _when_empty(ctx: Context, intent: intents.Intent, reply: Reply) -> Reply:
    """A reply that found nothing, completed by the intent's ``when_empty``: a question back when the intent needs a
    programme or document and none is named; "not found" with the nearest passage to check it against; the names
    the documents do not know."""
    if intent.when_empty == "ask_document" and reply.missing == "document" and not ctx.linked.unknown and intent.topic:
        reply = Reply(ctx.say("ask_document", what=intent.topic[ctx.lang == "en"]), reply.items, reply.sparql, False)
    answer, items = reply.answer, reply.items
    top = _completed(ctx.passages[0], ctx.texts) if ctx.passages else None
    if top is not None and not _cites(items, top):
        # What the text says nearby, whole: a reader checks "not found" against it.
        answer += " " + ctx.say("nearest_passage", lines=lines_of(ctx, top), text=shorten(top["text"], 600))
        items = items or passage_items([_completed(p, ctx.texts) for p in ctx.passages[:3]])
    missing = [name for name in ctx.linked.unknown if name not in answer]
    if missing:
        answer += " " + ctx.say("not_in_documents", names=", ".join(missing))
    return Reply(answer, items, reply.sparql, False, reply.count, reply.generic, reply.missing)


def _search_model(store: EmbeddedStore) -> str | None:
    """The embedding model of the store's search index (the question is embedded once, with it); None: the default."""
    from beleidsgraaf.queries.search import index_for

    try:
        return index_for(store).model
    except NotFoundError:  # a store without a search index still answers from the graph
        return None


_ANSWERERS: dict[str, Answerer] = {}


def answerer(store: EmbeddedStore) -> Answerer:
    """One Answerer per store generation, so a new ingest is picked up without a restart."""
    key = f"{store.location}:{store.current}"
    if key not in _ANSWERERS:
        _ANSWERERS.clear()
        _ANSWERERS[key] = Answerer(store)
    return _ANSWERERS[key]


def ask(store: EmbeddedStore, question: str) -> dict[str, Any]:
    return answerer(store).ask(question)


def ask_many(store: EmbeddedStore, questions: Iterable[str]) -> Iterable[dict[str, Any]]:
    worker = answerer(store)
    for question in questions:
        try:
            yield worker.ask(question)
        except ValueError as exc:
            yield {"question": question, "intent": None, "answer": f"Error: {exc}", "answers": [], "passages": [], "sparql": None}
