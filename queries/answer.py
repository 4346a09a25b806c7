"""Answer a question in Dutch or English with values from the graph and the lines they come from.

Steps: link the names in the question (``linking``), recognise the intent (``intents``), run the
intent's named queries with bound parameters, compute what must be computed (sums, counts,
"does the total add up"), and write a short answer in the question's language. When nothing in
the graph answers it, say so plainly and show what was found nearby; when no intent fits,
answer from the best passages and say that the answer is passage-based.

This module holds the entry points and the intent table; the handlers live in ``handlers_*``, the
passage answers in ``text_answers``, the reply shapes in ``replies``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import intents
from beleidsgraaf.queries.handlers_actors import document_meta, programme_list, relations, role_holder, shared
from beleidsgraaf.queries.handlers_din import contributes_to, din_efforts, din_goals, element
from beleidsgraaf.queries.handlers_money import budget, budget_check, capacity, indicators
from beleidsgraaf.queries.handlers_wards import (
    afstemming,
    ward_buurten,
    ward_code,
    ward_contacts,
    ward_efforts,
    ward_list,
    ward_parent,
    ward_rules,
    ward_variants,
)
from beleidsgraaf.queries.linking import EntityIndex, link
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, Row, evidence_of, run_named
from beleidsgraaf.queries.text_answers import (
    _completed,
    _load_texts,
    _needs_text,
    _passage_answer,
    _passage_items,
    _passages,
    _scope,
    _with_stated_counts,
)
from beleidsgraaf.textkey import norm

# What callers import from here (api, reports, evaluate, benchmarks, tests); the rest lives in the modules above.
__all__ = [
    "HANDLERS",
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

HANDLERS: dict[str, Callable[[Context], Reply]] = {
    "afstemming": afstemming,
    "ward_efforts": ward_efforts,
    "ward_buurten": ward_buurten,
    "ward_code": ward_code,
    "ward_variants": ward_variants,
    "ward_parent": ward_parent,
    "role_holder": role_holder,
    "relations": relations,
    "shared": shared,
    "budget_check": budget_check,
    "capacity": capacity,
    "budget": budget,
    "indicators": indicators,
    "contributes_to": contributes_to,
    "din_efforts": din_efforts,
    "din_goals": din_goals,
    "document_meta": document_meta,
    "element": element,
    "programme_list": programme_list,
    "ward_list": ward_list,
}
COUNT_WORDS = re.compile(r"\bhoeveel\b|\bhow many\b|\baantal\b|\bnumber of\b", re.I)
MIN_INTENT_SCORE = 1.5
KIND_NOUNS = r"(programma|programme|program|wijk|ward|buurt|dorp|village|neighbourhood|district)"


def _named_as_kind(name: str, question: str) -> bool:
    return bool(re.search(rf"\b{KIND_NOUNS}\s+{re.escape(name)}\b|\b{re.escape(name)}[- ]{KIND_NOUNS}\b", question, re.I))


class Answerer:
    """Holds the entity index and models for one store generation; answers many questions."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.index = EntityIndex(store)
        self.texts = _load_texts(store)
        self.documents = run_named(store, "documents")[0]

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
        linked = link(question, self.index)
        # A capitalised word the documents do use ("lobby richting het Rijk") is no unknown name, only not a
        # resource; unless the question calls it a programme or ward ("the Sport programme").
        linked.unknown = [name for name in linked.unknown if _named_as_kind(name, question) or not self._in_text(name)]
        ctx = Context(self.store, question, lang, linked, self.index, self.texts)
        ranked = intents.rank(question, linked)
        best_score, best = ranked[0]
        scope = _scope(self.documents, linked)
        passages = _passages(self.store, question, scope=scope)
        if best_score < MIN_INTENT_SCORE or _needs_text(question, best, linked, passages, None):
            return _with_stated_counts(_passage_answer(question, lang, passages, linked, ctx), scope, ctx)
        reply = HANDLERS[best.name](ctx)
        if _needs_text(question, best, linked, passages, reply):
            return _with_stated_counts(_passage_answer(question, lang, passages, linked, ctx), scope, ctx)
        answer = reply.answer
        items = [i.as_dict() for i in reply.items[:50]]
        if not reply.found and passages:
            # What the text says nearby, whole: a reader checks "not found" against it.
            top = _completed(passages[0], ctx.texts)
            quote = f'{top["document"]} {ctx.t("regels", "lines")} {top["lines"][0]}–{top["lines"][1]}: "{top["text"][:600]}"'
            answer += ctx.t(f" Dichtstbijzijnde passage: {quote}", f" Nearest passage: {quote}")
            items = items or _passage_items([_completed(p, ctx.texts) for p in passages[:3]])
        missing = [name for name in linked.unknown if name not in answer]
        if missing and not reply.found:
            answer += ctx.t(f" Onbekend in de documenten: {', '.join(missing)}.", f" Not in the documents: {', '.join(missing)}.")
        if (
            COUNT_WORDS.search(question)
            and reply.found
            and reply.items
            and best.name not in ("budget_check", "capacity", "budget")
        ):
            counted = reply.count if reply.count is not None else len(reply.items)
            answer = ctx.t(f"Aantal: {counted}. ", f"Count: {counted}. ") + answer
        result = {
            "question": question,
            "intent": best.name,
            "answer": answer,
            "answers": items,
            "passages": passages,
            "sparql": reply.sparql,
        }
        return _with_stated_counts(result, scope, ctx)


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
