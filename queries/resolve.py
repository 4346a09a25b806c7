"""A whole name given where an IRI is expected (a named query's parameter, a ward, a programme) -> one IRI.

The question linker (``linking.EntityIndex``) looks for names *inside* free text, so it skips names longer
than a kind's ``MAX_WORDS`` ("Vriezenveenseweg e.o. Haghoek Oost" has five words) and silently picks one of
several resources with the same name. A parameter value is the whole name, so here: exact match on the same
normalised keys as the linker (any length) first, then the linker's typo tolerance, restricted to the kinds
the parameter declares; when several resources remain equally good, the caller gets the choices, not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from beleidsgraaf.errors import BeleidsgraafError, NotFoundError
from beleidsgraaf.ontology.namespaces import BG, PREFIXES
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import named
from beleidsgraaf.queries.linking import KIND_OF_CLASS, _keys
from beleidsgraaf.textkey import norm

# The kinds that are SKOS concepts rather than named resources of the entities query, by their scheme.
CONCEPT_SCHEMES = {"role": BG.rollen, "principle": BG.sturingsprincipes}
# The same preference as linking._prefer: a wijk or dorp before the buurt of the same name, a programme
# before its contract document. Only resources of the best rank compete; more than one of them is ambiguous.
RANK = {"Wijk": 0, "Dorp": 0, "Stadsdeel": 1, "Buurt": 2, "Programma": 0}
_PREFIXED = re.compile(r"^([a-z][a-z0-9]*):([^\s/][^\s]*)$", re.I)
_ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$|^urn:\S+$", re.I)

CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x ?scheme ?label WHERE {
  VALUES ?scheme { %s }
  ?x skos:inScheme ?scheme .
  { ?x skos:prefLabel ?label } UNION { ?x skos:altLabel ?label }
}
"""
CLASS_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?cls ?label WHERE { ?cls rdfs:label ?label . FILTER(STRSTARTS(STR(?cls), STR(%s))) }
"""


@dataclass(frozen=True)
class Candidate:
    iri: str
    label: str
    cls: str  # local name of the class (Wijk, Buurt, Programma, ...) or the concept's kind
    kind: str


class UnknownName(NotFoundError):
    """No resource of the wanted kinds has this name; ``suggestions`` are the nearest labels."""

    def __init__(self, name: str, kinds: tuple[str, ...], suggestions: list[str]) -> None:
        super().__init__(f"no {' or '.join(kinds) or 'resource'} named '{name[:100]}'",
                         hint=f"did you mean: {', '.join(suggestions)}" if suggestions else None)
        self.name, self.kinds, self.suggestions = name, kinds, suggestions


class AmbiguousName(BeleidsgraafError):
    """Several resources of the wanted kinds have this name equally well; ``choices`` lists them."""

    def __init__(self, name: str, kinds: tuple[str, ...], choices: list[Candidate]) -> None:
        listed = "; ".join(f"{c.label} ({c.cls}) <{c.iri}>" for c in choices)
        super().__init__(f"'{name[:100]}' names {len(choices)} resources: {listed}", hint="give the IRI")
        self.name, self.kinds, self.choices = name, kinds, choices


def as_iri(value: str) -> str | None:
    """The IRI a value spells, if it spells one: absolute, or prefixed with a known prefix (bg:lijnsturing)."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if _ABSOLUTE.match(value):
        return value
    match = _PREFIXED.match(value)
    if match and match.group(1) in PREFIXES:
        return str(PREFIXES[match.group(1)]) + match.group(2)
    return None


def candidates(store: EmbeddedStore, kinds: Sequence[str] = ()) -> list[tuple[Candidate, list[str]]]:
    """Every resource of the given kinds (all kinds when empty) with its normalised keys."""
    wanted = set(kinds)
    found: list[tuple[Candidate, list[str]]] = []
    for row in store.query(named.get("entities").text):
        cls = str(row.kind).rsplit("#", 1)[-1]
        kind = KIND_OF_CLASS.get(cls)
        if kind is None or (wanted and kind not in wanted):
            continue
        # The linker's keys: label and variants, documents and programmes also without kind word and years.
        found.append((Candidate(str(row.x), str(row.label), cls, kind), _keys(row.label, row.alt, kind)))
    schemes = {kind: scheme for kind, scheme in CONCEPT_SCHEMES.items() if not wanted or kind in wanted}
    if schemes:
        kind_of_scheme = {str(scheme): kind for kind, scheme in schemes.items()}
        query = CONCEPTS % " ".join(f"<{scheme}>" for scheme in schemes.values())
        for row in store.query(query):
            kind = kind_of_scheme[str(row.scheme)]
            found.append((Candidate(str(row.x), str(row.label), kind, kind), [norm(str(row.label))]))
    return found


def resolve(store: EmbeddedStore, value: str, kinds: Sequence[str] = ()) -> Candidate:
    """The one resource of ``kinds`` that ``value`` (an IRI or a name) stands for.

    Raises UnknownName when nothing fits and AmbiguousName when several resources fit equally well.
    An IRI is checked against the resources of the kinds, so a report is never drawn for a mistyped IRI.
    """
    kinds = tuple(kinds)
    text = " ".join(value.split())
    pool = candidates(store, kinds)
    iri = as_iri(text)
    if iri is not None:
        for candidate, _ in pool:
            if candidate.iri == iri:
                return candidate
        raise UnknownName(text, kinds, [])
    key = norm(text)
    matches = [c for c, keys in pool if key and key in keys]
    if not matches and len(key) >= 6:
        # The linker's typo tolerance (linking.EntityIndex.lookup): one or two letters off in a long name.
        by_key: dict[str, list[Candidate]] = {}
        for candidate, keys in pool:
            for k in keys:
                by_key.setdefault(k, []).append(candidate)
        best = process.extractOne(key, list(by_key), scorer=fuzz.ratio, score_cutoff=90.0 if len(key) < 10 else 87.0)
        matches = by_key[best[0]] if best else []
    distinct = {c.iri: c for c in matches}
    if not distinct:
        raise UnknownName(text, kinds, suggest(pool, key))
    top = min(RANK.get(c.cls, 1) for c in distinct.values())
    best_ones = sorted((c for c in distinct.values() if RANK.get(c.cls, 1) == top), key=lambda c: c.iri)
    if len(best_ones) > 1:
        raise AmbiguousName(text, kinds, best_ones)
    return best_ones[0]


def suggest(pool: list[tuple[Candidate, list[str]]], key: str, limit: int = 3) -> list[str]:
    """Nearest labels to show next to 'unknown' (never used as the answer)."""
    labels: dict[str, str] = {}
    for candidate, keys in pool:
        for k in keys:
            labels.setdefault(k, candidate.label)
    out: list[str] = []
    for match, _score, _ in process.extract(key, list(labels), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60):
        if labels[match] not in out:
            out.append(labels[match])
    return out[:limit]


def class_labels(store: EmbeddedStore, language: str) -> dict[str, str]:
    """The ontology's own label of each class and concept kind in one language (Buurt -> "neighbourhood")."""
    out: dict[str, str] = {}
    for row in store.query(CLASS_LABELS % f"<{BG}>"):
        if getattr(row.label, "language", None) == language:
            out.setdefault(str(row.cls).rsplit("#", 1)[-1], str(row.label))
    return out
