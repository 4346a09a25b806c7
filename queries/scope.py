"""An answer kept inside the municipalities a question names.

A handler answers for the resources the question links (a ward, a programme); a municipality named beside them
("... in Wassenaar") narrows every answer, whatever its intent. Each item belongs to the municipalities of the
documents it comes from (the files it cites, else ``municipality-of`` its IRI); an item whose municipality
the graph does not know stays, since dropping it would hide a fact. When nothing is left, the reply says the
documents of that municipality do not state it and where else it was found.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from rdflib import URIRef

from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries.linking import Linked
from beleidsgraaf.queries.replies import Context, Item, Reply, Row, _listing, run_named
from beleidsgraaf.textkey import norm


def named_towns(ctx: Context) -> dict[str, str]:
    """The municipalities the question names: normalised name -> name as the graph writes it."""
    return {norm(e.label): e.label for e in ctx.linked.all("gemeente")}


def narrow_links(store: EmbeddedStore, linked: Linked) -> Linked:
    """The question's links without resources of other municipalities than the ones it names: "veiligheid in
    Wassenaar" is Wassenaar's safety programme or a plain word, never another town's programme of that name."""
    towns = {norm(e.label) for e in linked.all("gemeente")}
    others = [e for m in linked.mentions for e in m.entities if e.kind != "gemeente"]
    if not towns or not others:
        return linked
    owners: dict[str, set[str]] = {}
    for row in run_named(store, "municipality-of", item=list(dict.fromkeys(e.iri for e in others)))[0]:
        owners.setdefault(str(row.item), set()).add(norm(str(row.label)) if row.label else str(row.municipality))
    mentions = []
    for mention in linked.mentions:
        kept = [e for e in mention.entities if e.kind == "gemeente" or not owners.get(str(e.iri)) or owners[str(e.iri)] & towns]
        if kept:
            mentions.append(replace(mention, entities=kept))
    return replace(linked, mentions=mentions)


def _towns_of(ctx: Context, items: list[Item], documents: list[Row]) -> list[set[str]]:
    """Per item, the normalised names of its municipalities (empty: unknown)."""
    iris = list(dict.fromkeys(URIRef(i.iri) for i in items if i.iri and not i.evidence))
    by_iri: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    if iris:
        for row in ctx.run("municipality-of", item=iris)[0]:
            town = norm(str(row.label)) if row.label else str(row.municipality)
            by_iri.setdefault(str(row.item), set()).add(town)
            labels[town] = str(row.label or row.municipality)
    by_file: dict[str, set[str]] = {}
    for row in documents:
        if row.municipality:
            by_file.setdefault(str(row.file), set()).add(norm(str(row.municipality)))
    # The lines an item cites say where it was found; a resource named in several municipalities' documents (an
    # organisation, a role) is in each of them, so its IRI decides only for an item that cites nothing.
    return [{t for e in item.evidence for t in by_file.get(e.document, set())} or by_iri.get(str(item.iri), set())
            for item in items]


def within(ctx: Context, reply: Reply, documents: list[Row]) -> Reply:
    """``reply`` with only the items of the municipalities the question names; unchanged when it names none or
    every item is inside."""
    towns = named_towns(ctx)
    if not towns or not reply.items:
        return reply
    owners = _towns_of(ctx, reply.items, documents)
    kept = [item for item, own in zip(reply.items, owners, strict=True) if not own or own & towns.keys()]
    if len(kept) == len(reply.items):
        return reply
    elsewhere: Counter[str] = Counter()
    for own in owners:
        if own and not own & towns.keys():
            elsewhere.update(own)
    names = {norm(r.municipality): str(r.municipality) for r in documents if r.municipality}
    other = ", ".join(f"{names.get(town, town)} ({count})" for town, count in elsewhere.most_common())
    scope = " / ".join(towns.values())
    if not reply.found:  # "not found" stays the answer; only what it cites nearby is narrowed
        return Reply(reply.answer, kept, reply.sparql, False, None, reply.generic, reply.missing)
    if not kept:
        return Reply(ctx.say("not_in_municipality", scope=scope, elsewhere=other), [], reply.sparql, False,
                     missing=reply.missing)
    answer = ctx.say("within_municipality", scope=scope, count=len(kept), items=_listing(kept)) + " " + \
        ctx.say("outside_municipality", scope=scope, elsewhere=other)
    return Reply(answer, kept, reply.sparql, True, None, reply.generic, reply.missing)
