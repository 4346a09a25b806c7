"""Answers from the text rather than the graph: the best passages (inside the documents a question names),
completed to whole sentences and lists; when the graph's answer misses what the question asks; and the counts
the documents state themselves."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from typing import Any

from beleidsgraaf.errors import NotFoundError
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import intents
from beleidsgraaf.queries.linking import STOPWORDS, Linked
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, Row, _not_found, lines_of, shorten
from beleidsgraaf.textkey import norm

# Content words a question may carry beyond its intent and names before the text, not the graph, answers it.
SPECIFIC_WORDS = 2
# ... and beyond a generic intent's (a list of everything of a kind): a list does not answer a narrower question.
GENERIC_WORDS = 3
QUESTION_WORDS = set(
    "welke wat wie waar hoe hoeveel zijn worden wordt volgens komende jaren document documenten plan contract which what "
    "who where does there according years heeft hebben geeft gemeente municipality bijlage annex appendix list lijst "
    "under onder staan genoemd named villages wards noemt".split()
)


def _unexplained(question: str, intent: intents.Intent, linked: Linked, typos: frozenset[str] = frozenset()) -> list[str]:
    """Content words of the question that neither the intent's cues (``typos``: words taken for one) nor a linked
    name account for."""
    text = question
    for cue in intent.cues:
        text = cue.sub(" ", text)
    for mention in linked.mentions:
        text = text.replace(mention.text, " ")
    return [w for w in norm(text).split() if len(w) > 4 and w not in QUESTION_WORDS and w not in STOPWORDS and w not in typos]


@lru_cache(maxsize=4096)
def _forms(word: str) -> frozenset[str]:
    """A question word's search tokens and, for an English word, its Dutch glossary renderings."""
    from beleidsgraaf.queries.search import tokenize, translated

    return frozenset(tokenize(word)) | frozenset(translated(word))


@lru_cache(maxsize=4096)
def _held(text: str) -> frozenset[str]:
    """The search tokens of a passage text (the same passages are weighed several times per question)."""
    from beleidsgraaf.queries.search import tokenize

    return frozenset(tokenize(text))


def _covered(words: list[str], text: str) -> int:
    """How many of ``words`` (or, for English words, their Dutch glossary renderings) the text holds."""
    held = _held(text)
    return sum(1 for w in words if _forms(w) & held)


def _needs_text(question: str, intent: intents.Intent, linked: Linked, passages: list[dict[str, Any]],
                reply: Reply | None, typos: frozenset[str] = frozenset()) -> bool:
    """The question asks about something the intent's answer does not speak of (the date by which something must
    be "operationeel" is no list of operational goals) and the best passages do. The intent's
    ``text_fallback``, ``generic`` and ``narrowed_by`` (intents.yaml) say how far its answer reaches."""
    if intent.text_fallback == "always":
        return True
    leftover = _unexplained(question, intent, linked, typos)
    named = {e.label for m in linked.mentions if (e := linked.first_of(m, "programme", "document"))}
    narrowed = intent.narrowed_by is not None and len(named) >= intent.narrowed_by
    if intent.generic and len(leftover) >= GENERIC_WORDS and not narrowed:
        return True  # "Welke wijken krijgen specifieke aandacht?" is not "welke wijken zijn er"
    if reply is None or not passages:
        return False
    best = max(passages[:5], key=lambda p: _covered(leftover, p["text"]))
    in_passages = _covered(leftover, best["text"])
    if reply.generic:
        # A list of everything answers nothing; a passage with the question's own words or names does.
        # Passages come from the documents named already, so the other names (a ward, a body) must be in one.
        names = [m.entities[0].label for m in linked.mentions if m.entities and not linked.first_of(m, "programme", "document")]
        names = names or [m.entities[0].label for m in linked.mentions if m.entities]
        return bool(in_passages) or any(_covered(names, p["text"]) >= max(1, len(names)) for p in passages[:5])
    if intent.text_fallback == "never" or len(leftover) < SPECIFIC_WORDS:
        return False  # a sum or a check is computed from the graph; no passage holds it
    if in_passages < SPECIFIC_WORDS:
        return False
    first, last = best["lines"]
    if any(e.document == best["document"] and first - 3 <= e.lines[0] <= last + 20 for i in reply.items for e in i.evidence):
        return False  # the graph's answer comes from that very passage (or the list it opens)
    said = " ".join([reply.answer] + [i.text for i in reply.items] + [e.quote for i in reply.items for e in i.evidence])
    return in_passages > _covered(leftover, said) if reply.found else True


NUMBER_WORDS = "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|twintig"
STATED_COUNTS = 4  # counts quoted from the text next to the answer


def _with_stated_counts(result: dict[str, Any], scope: list[Span], ctx: Context) -> dict[str, Any]:
    """"Hoeveel inspanningen ...?": what the documents themselves say ("10 inspanningen voor doel I", "de volgende
    twee strategische hoofdopgaven"), quoted with its lines next to the graph's count; they may differ."""
    asked = COUNTED.search(ctx.question)
    if not asked:
        return result
    after = ctx.question[asked.start("noun"):].split()[:2]  # "hoeveel strategische hoofdopgaven": both words
    stems = {t for w in after for t in _forms(w) if len(t) > 3}
    pattern = re.compile(rf"\b(\d{{1,3}}|{NUMBER_WORDS})\s+((?:\w+\s+){{0,2}}?)([\w-]+)", re.I)
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for t in ctx.texts:
        if scope and not any(t["document"] == f and a <= t["lines"][0] <= b for f, a, b in scope):
            continue
        for match in pattern.finditer(t["text"]):
            if re.fullmatch(r"(19|20)\d\d", match.group(1)) or not _held(match.group(3)) & stems:
                continue
            text = t["text"]
            start = text.rfind(" ", 0, max(0, match.start() - 30)) + 1  # whole words around the number
            end = text.find(" ", match.end() + 40)
            phrase = text[start: end if end > 0 else len(text)].strip()
            found.setdefault(norm(match.group(0)), (t, phrase))
    if not found:
        return result
    shown = list(found.values())[:STATED_COUNTS]
    said = "; ".join(f'"…{phrase}…" ({lines_of(ctx, t)})' for t, phrase in shown)
    result["answer"] += " " + ctx.say("stated_counts", counts=said)
    result["answers"] = result["answers"] + [
        {"text": phrase, "iri": None, "evidence": [{"document": t["document"], "lines": list(t["lines"]), "quote": phrase}]}
        for t, phrase in shown
    ]
    return result


def _load_texts(store: EmbeddedStore) -> list[dict[str, Any]]:
    """The passage windows stored with the graph (one JSON object per line), for exact name look-ups."""
    path = store.artifact("passages.jsonl")
    if path is None:
        return []
    texts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in texts:
        text["norm"] = norm(text["text"])  # name look-ups compare normalised text; do it once per store generation
    return sorted(texts, key=lambda t: (t["document"], t["lines"][0]))


Span = tuple[str, int, int]  # file name, first and last line of a document in it
SCOPED_DEPTH = 60  # results searched for passages inside the documents a question names


def _scope(rows: list[Row], linked: Linked) -> list[Span]:
    """The documents (rows of the ``documents`` query) the question names, by programme, document or
    municipality ("volgens de Utrechtse notitie")."""
    named: list[Span] = []
    towns: list[Span] = []
    for mention in linked.mentions:
        owner = linked.first_of(mention, "programme", "document")
        if owner is not None:
            named += [(str(r.file), int(r.first), int(r.last)) for r in rows if str(owner.iri) in (str(r.doc), str(r.programme))]
        elif mention.entities:
            town = norm(mention.entities[0].label)
            towns += [(str(r.file), int(r.first), int(r.last)) for r in rows
                      if r.municipality and norm(str(r.municipality)) == town]
    several = len({norm(str(r.municipality)) for r in rows if r.municipality}) > 1  # else naming the town narrows nothing
    return list(dict.fromkeys(named + (towns if several else [])))


def _passages(store: EmbeddedStore, question: str, k: int = 5, scope: list[Span] | None = None) -> list[dict[str, Any]]:
    """The best passages; when the question names documents, the best passages inside them."""
    from beleidsgraaf.queries.search import search

    try:
        found = [p.as_dict() for p in search(store, question, SCOPED_DEPTH if scope else k)]
    except NotFoundError:  # a store without a search index still answers from the graph
        return []
    found = [p for p in found if len(TOC_LEADER.findall(p["text"])) < TOC_LEADERS]
    inside = [p for p in found if any(p["document"] == f and a <= p["lines"][0] <= b for f, a, b in scope or [])]
    return (inside or found)[:k]


# A table of contents ("P1 Veiligheid en Handhaving ........ 12") names everything and states nothing: passages with
# several dot leaders answer no question.
TOC_LEADER = re.compile(r"\.{6,}|(?:\. ){5,}")
TOC_LEADERS = 2


SHORT_PASSAGE = 160
LIST_LINES = 20  # how far a passage that announces a list (ends in ':') runs on to show the list


def _next_window(passage: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Any] | None:
    follow = [t for t in texts if t["document"] == passage["document"] and t["lines"][0] > passage["lines"][1]]
    if not follow:
        return None
    nxt = min(follow, key=lambda t: t["lines"][0])
    return nxt if nxt["lines"][0] <= passage["lines"][1] + 3 else None


def _completed(passage: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Any]:
    """A passage completed to the end of its last sentence, and, when it announces a list ("... bestaat uit
    de volgende activiteiten:"), run on over the list."""
    first = passage["lines"][0]
    # A short window (cells of a flattened table) runs on once: alone it lacks the words that answer.
    if len(passage["text"]) < SHORT_PASSAGE and (nxt := _next_window(passage, texts)):
        passage = {**passage, "text": f"{passage['text'].rstrip()} {nxt['text'].strip()}", "lines": [first, nxt["lines"][1]]}
    announces = bool(re.search(r":\W*$", passage["text"].rstrip()))
    while announces and passage["lines"][1] - first < LIST_LINES:
        nxt = _next_window(passage, texts)
        if nxt is None:
            break
        passage = {**passage, "text": f"{passage['text'].rstrip()} {nxt['text'].strip()}", "lines": [first, nxt["lines"][1]]}
    text = passage["text"].rstrip()
    if re.search(r"[.!?;]\W*$", text):
        return passage
    nxt = _next_window(passage, texts)
    if nxt is None:
        return passage
    end = re.search(r"[.!?](\s|$)", nxt["text"])
    if end is None:
        if re.search(r"[.!?]", text) or len(nxt["text"]) > SHORT_PASSAGE:
            return passage
        # Cells of a flattened table have no full stops at all: the next short cell ("Inzet Wijkregie: regisserend")
        # belongs to the same row.
        return {**passage, "text": f"{text} {nxt['text'].strip()}", "lines": [first, nxt["lines"][1]]}
    return {**passage, "text": f"{text} {nxt['text'][: end.end()].strip()}", "lines": [first, nxt["lines"][1]]}


QUANTITY = re.compile(r"\bhoeveel\b|\bhoe (groot|hoog|lang)\b|\bhow (much|many|large|big|high|long)\b|\bwelk bedrag\b|"
                      r"\bwhat (annual |yearly )?(budget|amount)\b", re.I)
MONEY_WORDS = re.compile(r"geld|budget|bedrag|\bkost|euro|€|subsid|how much", re.I)
MONEY_TEXT = re.compile(r"€|\beuro\b|\d{1,3}(\.\d{3})+|\bmiljoen\b|\bmln\b", re.I)
NUMBER_TEXT = re.compile(r"(?<![\d.])(?!(19|20)\d\d\b)\d+|\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|"
                         r"honderd|duizend|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand)\b", re.I)
COUNTED = re.compile(r"\b(hoeveel|how many)\s+(?P<noun>[a-zà-ÿ-]{4,})", re.I)


def _number_near(noun: str, text: str, reach: int = 4) -> bool:
    wanted = _forms(noun)
    words = re.findall(r"[\w.,-]+", text)
    stems = [_held(w) for w in words]
    for i, word in enumerate(words):
        if NUMBER_TEXT.fullmatch(word.strip(".,")) and any(wanted & stems[j] for j in
                                                           range(max(0, i - reach), min(len(words), i + reach + 1))):
            return True
    return False


def _unstated(question: str, shown: list[dict[str, Any]], ctx: Context) -> str | None:
    """Why the best passages cannot answer: a year they never mention, or an amount or number they do not give."""
    nearest = shown[:3]
    for year in re.findall(r"\b(?:19|20)\d\d\b", question):
        if not any(year in p["text"] for p in nearest):
            return ctx.say("not_found_year", year=year)
    if QUANTITY.search(question):
        money = MONEY_WORDS.search(question)
        counted = COUNTED.search(question)
        if money:
            stated = any(MONEY_TEXT.search(p["text"]) for p in nearest)
        elif counted:
            # "hoeveel inwoners": a number next to that noun (or its Dutch word), not any list number nearby.
            stated = any(_number_near(counted.group("noun"), p["text"]) for p in nearest)
        else:
            stated = any(NUMBER_TEXT.search(p["text"]) for p in nearest)
        if not stated:
            return ctx.say("not_found_quantity", what=ctx.say("what_amount" if money else "what_number"))
    return None


# Kinds a passage answer must name to be about them: a programme or document already narrowed the passages searched,
# a municipality is the scope, not the subject.
SUBJECT_KINDS = ("ward", "buurt", "person", "unit", "partner", "body", "effort", "goal")


ABSENT_LENGTH = 6  # shorter words are too often inflections or abbreviations the tokenizer renders otherwise


def words_in_documents(question: str, linked: Linked, store: EmbeddedStore, shortest: int = 5
                       ) -> tuple[list[str], list[str]]:
    """The question's content words outside the names it links, and those of them the documents use (a word or,
    for an English one, its glossary rendering)."""
    text = question
    for mention in linked.mentions:
        text = text.replace(mention.text, " ")
    spread = _spread(store)
    words = [w for w in dict.fromkeys(norm(text).split())
             if len(w) >= shortest and w.isalpha() and w not in QUESTION_WORDS and w not in STOPWORDS]
    return words, [w for w in words if any(spread[t] for t in _forms(w))]


def _absent(ctx: Context) -> str | None:
    """"Niet gevonden" when a Dutch question's content word occurs nowhere in the documents ("parkeervergunning"):
    no passage can state anything about it, however close it sounds. English words are left to the passages,
    since the glossary renders only some of them in Dutch."""
    if ctx.lang != "nl":
        return None
    words, held = words_in_documents(ctx.question, ctx.linked, ctx.store, ABSENT_LENGTH)
    missing = [w for w in words if w not in held]
    return ctx.say("words_not_in_documents", words=", ".join(f"'{w}'" for w in missing)) if missing else None


def _unnamed(shown: list[dict[str, Any]], ctx: Context) -> str | None:
    """"Niet gevonden" when the question is about a ward, person or body that none of the best passages names (in
    the question's spelling or the documents'): a passage about something else does not answer it."""
    for mention in ctx.linked.mentions:
        entity = ctx.linked.first_of(mention, *SUBJECT_KINDS)
        if entity is None:
            continue
        keys = {norm(entity.label), norm(mention.name)}
        if not any(key and key in t["norm"] for key in keys for t in (_normed(p) for p in shown[:3])):
            return ctx.say("not_stated_about", name=entity.label)
    return None


def _normed(passage: dict[str, Any]) -> dict[str, Any]:
    return passage if "norm" in passage else {**passage, "norm": norm(passage["text"])}


def _spread(store: EmbeddedStore) -> Counter[str]:
    """In how many passage windows each search token occurs (the search index counts it once per generation)."""
    from beleidsgraaf.queries.search import index_for

    return index_for(store).spread


def _reranked(question: str, shown: list[dict[str, Any]], linked: Linked, texts: list[dict[str, Any]],
              spread: Counter[str]) -> list[dict[str, Any]]:
    """The passages that hold most of the question's content words first, a rare word ("arbeidsmigratie") counting
    more than a common one ("wijkregie") and the names it links counting double (search order breaks ties): fusion
    ranks a passage that merely sounds alike above the one that names the programme adviser asked about."""
    focus = [w for w in dict.fromkeys(norm(question).split()) if len(w) > 3 and w not in QUESTION_WORDS and w not in STOPWORDS]
    names = list(dict.fromkeys(m.entities[0].label for m in linked.mentions if m.entities))
    if not focus and not names:
        return shown
    windows = max(len(texts), 1)
    weights = {w: max(math.log(windows / (1 + min(spread[t] for t in _forms(w)))), 0.5) for w in focus if _forms(w)}

    def score(p: dict[str, Any]) -> float:
        held = _held(p["text"])
        found = sum(weight for w, weight in weights.items() if _forms(w) & held)
        return found + 2 * max(weights.values(), default=1.0) * sum(1 for n in names if norm(n) in norm(p["text"]))

    scored = [(-score(p), rank, p) for rank, p in enumerate(shown)]
    return [p for _, _, p in sorted(scored, key=lambda t: (t[0], t[1]))]


def passage(ctx: Context) -> Reply:
    """The answer from the best passages (``ctx.passages``), reranked by the question's own words and names and shown
    whole; "niet gevonden" when they lack the year, amount or number asked for. The intent of questions the text
    answers ("hoe vaak", "waarom"), and the fallback of every other intent."""
    shown = _reranked(ctx.question, [_completed(p, ctx.texts) for p in ctx.passages[:5]], ctx.linked, ctx.texts,
                      _spread(ctx.store))
    if ctx.linked.unknown and not ctx.linked.mentions:
        reply = _not_found(ctx, ctx.say("what_name"), ("ward", "programme", "document", "person"))
        return Reply(reply.answer, passage_items(shown), None, reply.found)
    if not shown:
        return Reply(ctx.say("not_found_in_documents"), [], None, False)
    top = shown[0]
    unstated = _absent(ctx) or _unstated(ctx.question, shown, ctx) or _unnamed(shown, ctx)
    if unstated:
        answer = unstated + " " + ctx.say("nearest_passage", lines=lines_of(ctx, top), text=shorten(top["text"], 900))
    else:
        answer = ctx.say("passage_answer", lines=lines_of(ctx, top), text=shorten(top["text"], 900))
    return Reply(answer, passage_items(shown), None, not unstated)


def passage_items(shown: list[dict[str, Any]]) -> list[Item]:
    """Passages as answer items, each citing its own lines."""
    return [Item(shorten(p["text"], 1200), None, [Evidence(p["document"], tuple(p["lines"]), shorten(p["text"], 200))])
            for p in shown]


def outside(ctx: Context) -> Reply:
    """A question about something no document speaks of: said plainly, with no passage quoted as if it answered."""
    return Reply(ctx.say("outside_documents"), [], None, True)
