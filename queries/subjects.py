"""What a question is about beyond the names it links: the programme or document that owns the answer, the role
it asks for, the steering principle it names. Handlers of every family read these."""

from __future__ import annotations

import re

from rdflib import URIRef

from beleidsgraaf.ontology.namespaces import BG
from beleidsgraaf.queries import intents
from beleidsgraaf.queries.linking import Entity, Linked
from beleidsgraaf.queries.replies import Context
from beleidsgraaf.textkey import norm

PRINCIPLE_WORDS = {
    "lijnsturing": re.compile(r"\blijn|\bline\b|lijnproject|line (team|unit|project)", re.I),
    "programmasturing": re.compile(r"programmaproject|programme project|programmasturing|programme steering", re.I),
    "wijksturing": re.compile(r"wijksturing|ward steering|wijkproject", re.I),
}


def _principle_asked(question: str, linked: Linked | None = None) -> str | None:
    for mention in linked.mentions if linked else []:
        question = question.replace(mention.text, " ")  # "Contract Wijksturing" names a document, not a principle
    for principle, pattern in PRINCIPLE_WORDS.items():
        if pattern.search(question):
            return principle
    return None


_ROLE_CACHE: dict[int, list[tuple[str, URIRef]]] = {}


def _roles(ctx: Context) -> list[tuple[str, URIRef]]:
    key = id(ctx.store)
    if key not in _ROLE_CACHE:
        rows, _ = ctx.run("roles")
        pairs = [(norm(str(r.label)), URIRef(str(r.role))) for r in rows]
        extra = [(norm(word), BG[role]) for role, words in intents.role_words().items() for word in words]
        extra.append(("opdrachtgever", BG.bestuurlijkOpdrachtgever))
        _ROLE_CACHE[key] = sorted(pairs + extra, key=lambda p: -len(p[0]))
    return _ROLE_CACHE[key]


def _role_in(ctx: Context) -> URIRef | None:
    text = norm(ctx.question)
    for label, role in _roles(ctx):
        if re.search(rf"\b{re.escape(label)}\b", text):
            if role == BG.bestuurlijkOpdrachtgever and "ambtelijk" in text:
                return BG.ambtelijkOpdrachtgever
            return role
    return None


def _owner(ctx: Context) -> Entity | None:
    """The programme or document the question is about: the longest such name wins ("plan Leefbare wijken en
    dorpen" over a stray "wijksturing")."""
    # "manager wijksturing" names a role, not the Contract Wijksturing.
    roles = [label for label, _ in _roles(ctx) if re.search(rf"\b{re.escape(label)}\b", norm(ctx.question))]
    mentions = [
        m
        for m in ctx.linked.mentions
        if m.of_kind("programme", "document") and not any(norm(m.text) in label and norm(m.text) != label for label in roles)
    ]
    if not mentions:
        return None
    longest = max(mentions, key=lambda m: len(m.text))
    return ctx.linked.first_of(longest, "programme", "document")
