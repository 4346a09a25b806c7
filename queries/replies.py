"""What every answer is made of (a reply, its items, the lines they cite, the question's context) and the small
helpers that build them, shared by the intent handlers and the passage answers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from beleidsgraaf.ingest.text import ellipsis
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import named
from beleidsgraaf.queries.linking import EntityIndex, Linked
from beleidsgraaf.queries.messages import message
from beleidsgraaf.textkey import norm

MAX_LISTED = 10  # names in an answer's lead; the items below it list them all, each with its lines


@dataclass
class Evidence:
    document: str
    lines: tuple[int, int]
    quote: str

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "lines": list(self.lines), "quote": self.quote}


@dataclass
class Item:
    text: str
    iri: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "iri": self.iri, "evidence": [e.as_dict() for e in self.evidence]}


@dataclass
class Reply:
    answer: str
    items: list[Item] = field(default_factory=list)
    sparql: str | None = None
    found: bool = True
    count: int | None = None  # what "hoeveel" counts, when that is not every item listed
    generic: bool = False  # everything of a kind in every document: the question named nothing to narrow it
    missing: str | None = None  # the slot kind whose absence left the reply empty ("document"): see when_empty


@dataclass
class Context:
    store: EmbeddedStore
    question: str
    lang: str
    linked: Linked
    index: EntityIndex
    texts: list[dict[str, Any]] = field(default_factory=list)
    passages: list[dict[str, Any]] = field(default_factory=list)  # the best passages for the question, searched once

    def say(self, key: str, **values: object) -> str:
        """A sentence of the message catalogue in the question's language."""
        return message(key, self.lang, **values)

    def run(self, name: str, **params: object) -> tuple[list[Row], str]:
        return run_named(self.store, name, **params)


def run_named(store: EmbeddedStore, name: str, **params: object) -> tuple[list[Row], str]:
    """A named query with its parameters bound (None = not given); rows read unbound variables as None."""
    query = named.get(name)
    values = {k: v for k, v in params.items() if v is not None}
    bindings = {k: (v if isinstance(v, URIRef | Literal | list | tuple) else Literal(v)) for k, v in values.items()}
    return [Row({str(k): v for k, v in r.asdict().items()}) for r in store.query(query.text, bindings)], query.text


class Row(dict[str, Any]):
    """A result row where an unbound OPTIONAL variable reads as None."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def evidence_of(row: Any) -> list[Evidence]:
    file, first = getattr(row, "file", None), getattr(row, "first", None)
    if file is None or first is None:
        return []
    last = getattr(row, "last", None) or first
    quote = getattr(row, "quote", None)
    return [Evidence(str(file), (int(first), int(last)), str(quote or ""))]


def _merge(items: Iterable[Item]) -> list[Item]:
    """One item per text, evidence pooled (the union default graph repeats rows per named graph; "Brandweer" and
    "brandweer" at the start of a sentence are one name)."""
    merged: dict[str, Item] = {}
    for item in items:
        known = merged.setdefault(item.text.casefold(), Item(item.text, item.iri, []))
        for ev in item.evidence:
            if all((e.document, e.lines) != (ev.document, ev.lines) for e in known.evidence):
                known.evidence.append(ev)
    return list(merged.values())


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut after a whole word, with "…" where it was cut."""
    return ellipsis(" ".join(text.split()), limit)


def distinct(items: list[Item]) -> int:
    """How many things the items are: an effort listed once per goal it serves is one effort."""
    return len({item.iri or f"#{n}" for n, item in enumerate(items)})


def _listing(items: list[Item], limit: int = MAX_LISTED) -> str:
    names = [i.text for i in items[:limit]]
    more = f" (+{len(items) - limit})" if len(items) > limit else ""
    return "; ".join(names) + more


def _euro(value: float) -> str:
    whole = f"{value:,.0f}".replace(",", ".")
    return f"€ {whole}"


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _not_found(ctx: Context, what: str, kinds: tuple[str, ...]) -> Reply:
    names = ctx.linked.unknown
    if names:
        # Not a resource in the graph, but the text may still name it ("Sociale Herovering"): quote that.
        key = norm(names[0])
        quoted = [t for t in ctx.texts if re.search(rf"\b{re.escape(key)}\b", t["norm"])]
        if quoted:
            best = max(quoted, key=lambda t: sum(w in t["norm"] for w in norm(ctx.question).split() if len(w) > 3))
            item = Item(shorten(best["text"], 700), None,
                        [Evidence(best["document"], tuple(best["lines"]), shorten(best["text"], 200))])
            return Reply(
                ctx.say("not_found_as_named_in_text", what=what, name=names[0], lines=lines_of(ctx, best),
                        text=shorten(best["text"], 400)),
                [item],
            )
        near = ctx.index.suggest(names[0], kinds)
        hint = " " + ctx.say("similar_names", names=", ".join(near)) if near else ""
        return Reply(ctx.say("not_found_name", name=names[0], what=what) + hint, found=False)
    return Reply(ctx.say("not_found_none_named", what=what), found=False)


def lines_of(ctx: Context, passage: dict[str, Any]) -> str:
    """"file regels 12–14": where a passage stands, in the question's language."""
    first, last = passage["lines"]
    return ctx.say("lines", document=passage["document"], first=first, last=last)
