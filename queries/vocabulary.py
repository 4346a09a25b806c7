"""The ontology's own names for its classes and concepts, read from ``ontology/beleidsgraaf.ttl``.

Answers name goal levels, effort kinds, steering principles and roles in Dutch or English; those words are the
ontology's labels (rdfs:label of a class, skos:prefLabel of a concept), so a label changed there changes every
answer, and no handler keeps a copy of its own.
"""

from __future__ import annotations

from functools import cache

from rdflib import OWL, RDFS, SKOS, Graph, Literal, URIRef

from beleidsgraaf.ontology.model import ontology_graph
from beleidsgraaf.ontology.namespaces import BG


@cache
def _graph() -> Graph:
    return ontology_graph()


@cache
def label(local: str, lang: str) -> str:
    """The label of ``bg:<local>`` in ``lang`` ("StrategischDoel", "en" -> "strategic goal")."""
    term = BG[local]
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in _graph().objects(term, prop):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
    raise KeyError(f"bg:{local} has no @{lang} label in the ontology")


def _local(term: URIRef) -> str:
    return str(term).removeprefix(str(BG))


def _below(parent: URIRef) -> set[URIRef]:
    """Every class under ``parent`` (rdfs:subClassOf, transitively), not the class itself."""
    return {c for c in _graph().transitive_subjects(RDFS.subClassOf, parent) if c != parent}


@cache
def goal_levels() -> tuple[str, ...]:
    """Goal classes from the top of the DIN down: Visie, StrategischDoel, TactischDoel, OperationeelDoel, then goals
    without a level (Beleidsdoel).

    The ontology states the order of the levels only in its disjointness axioms, which it writes as a chain: each
    level is declared disjoint with every level below it. So the more classes a level is declared disjoint with,
    the higher it stands; a goal class outside the chain has no level and comes last."""
    goals = _below(BG.Doel)
    graph = _graph()

    def lower(cls: URIRef) -> int:
        return sum(1 for other in graph.objects(cls, OWL.disjointWith) if other in goals)

    chained = {c for c in goals if lower(c)} | {o for c in goals for o in graph.objects(c, OWL.disjointWith) if o in goals}
    ordered = sorted(chained, key=lambda c: (-lower(c), _local(c)))
    return tuple(_local(c) for c in ordered) + tuple(sorted(_local(c) for c in goals - chained))


@cache
def effort_kinds() -> tuple[str, ...]:
    """Inspanning and its subclasses (Project, Activiteit, ...): the kinds of effort, the general one first."""
    return ("Inspanning", *sorted(_local(c) for c in _below(BG.Inspanning)))


def level_name(local: str, lang: str, default: str | None = None) -> str:
    """The label of a goal level or effort kind; ``default`` (else the local name) for a class the ontology lacks."""
    try:
        return label(local, lang)
    except KeyError:
        return default if default is not None else local


@cache
def concepts(scheme: str) -> tuple[str, ...]:
    """The concepts of a SKOS scheme (``sturingsprincipes``, ``rollen``) by local name."""
    return tuple(sorted(_local(c) for c in _graph().subjects(SKOS.inScheme, BG[scheme])))


@cache
def names(local: str) -> tuple[str, ...]:
    """Every name of ``bg:<local>`` in either language (labels and skos:altLabel), lower case: the words a question
    may use for it ("uitgaven", "expenses" for bg:lasten)."""
    term = BG[local]
    found = {str(v).lower() for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for v in _graph().objects(term, prop)
             if isinstance(v, Literal)}
    return tuple(sorted(found))
