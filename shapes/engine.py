"""Runs the SHACL shapes in this folder directly on the store.

pySHACL evaluates SPARQL constraints once per focus node through rdflib, which takes minutes on the
corpus graph. Here every constraint runs once, as one query on Oxigraph:
- a SHACL-SPARQL constraint's sh:select is written so that it finds its own focus nodes when $this is
  left unbound (``$this`` and ``?this`` are one variable in SPARQL), so the same text serves pySHACL,
  which pre-binds $this, and this engine, which does not;
- a core property constraint (sh:minCount, sh:maxCount, sh:minInclusive, sh:in on a sh:targetClass)
  runs as the SPARQL definition of its component in core/*.rq with the shape's path filled in.
tests/test_shapes.py checks on small graphs that this engine and pySHACL report the same focus nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import XSD
from rdflib.term import BNode, Node

HERE = Path(__file__).resolve().parent
SH = Namespace("http://www.w3.org/ns/shacl#")
BGSH = Namespace("https://w3id.org/beleidsgraaf/shapes#")
SHAPES_IRI = URIRef("https://w3id.org/beleidsgraaf/shapes")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
CORE = ("minCount", "maxCount", "minInclusive", "in")
# What a shape may say besides its constraints: it is read (severity, messages) or only documents the shape.
DESCRIPTIVE = {SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
               RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
               URIRef("http://www.w3.org/2000/01/rdf-schema#comment")}
NODE_KEYS = DESCRIPTIVE | {SH.sparql, SH.property, SH.targetClass}
# A SHACL-SPARQL select here finds its own focus nodes (see above), so any target suits a shape of sh:sparql
# constraints alone; core property constraints are run per sh:targetClass only.
OTHER_TARGETS = {SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class Constraint:
    """One check: a SPARQL select to run, and how to word what it finds."""

    id: str
    severity: str
    message_nl: str
    message_en: str
    select: str
    bindings: dict[str, Node] = field(default_factory=dict)
    allowed: frozenset[Node] | None = None  # sh:in: values outside this set are the findings


@dataclass
class Hit:
    constraint: Constraint
    focus: Node
    values: dict[str, Node]


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(HERE.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def prologue(graph: Graph) -> str:
    lines = []
    for declaration in graph.objects(SHAPES_IRI, SH.declare):
        prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(lines)) + "\n"


def _messages(graph: Graph, node: Node) -> tuple[str, str]:
    texts = {getattr(m, "language", None): str(m) for m in graph.objects(node, SH.message)}
    return texts.get("nl", ""), texts.get("en", "")


def _local(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _path(graph: Graph, node: Node) -> str:
    """A SHACL property path as SPARQL (IRIs, inverse and sequence paths are what the shapes use)."""
    if isinstance(node, URIRef):
        return node.n3()
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{_path(graph, inverse)}"
    if isinstance(node, BNode) and graph.value(node, RDF.first) is not None:
        return "/".join(_path(graph, item) for item in Collection(graph, node))
    raise ValueError(f"unsupported sh:path {node!r}")


def _core(name: str) -> str:
    return (HERE / "core" / f"{name}.rq").read_text(encoding="utf-8")


class UnsupportedShape(ValueError):
    """A shape uses SHACL this engine does not run: raised, so no check is ever skipped in silence."""


def _supported(graph: Graph, shape: Node) -> None:
    unknown = {p for p in graph.predicates(shape) if p not in NODE_KEYS}
    if graph.value(shape, SH.property) is None:
        unknown -= OTHER_TARGETS
    if unknown:
        raise UnsupportedShape(f"{_local(shape)}: the engine does not run {', '.join(sorted(_local(p) for p in unknown))}")
    if graph.value(shape, SH.property) is not None and graph.value(shape, SH.targetClass) is None:
        raise UnsupportedShape(f"{_local(shape)}: property constraints need a sh:targetClass here")
    for prop in graph.objects(shape, SH.property):
        extra = {p for p in graph.predicates(prop) if p not in DESCRIPTIVE and _local(p) not in CORE}
        if extra:
            raise UnsupportedShape(f"{_local(shape)}: the engine does not run {', '.join(sorted(_local(p) for p in extra))}")


def constraints(graph: Graph | None = None) -> list[Constraint]:
    graph = graph if graph is not None else shapes_graph()
    found: list[Constraint] = []
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(SH.targetClass, None))
    stray = set(graph.subjects(RDF.type, SH.PropertyShape)) - set(graph.objects(None, SH.property))
    if stray:
        raise UnsupportedShape(f"property shapes outside a node shape: {', '.join(sorted(_local(s) for s in stray))}")
    for shape in sorted(shapes, key=str):
        _supported(graph, shape)
        for constraint in graph.objects(shape, SH.sparql):
            select = str(graph.value(constraint, SH.select))
            cid = _local(constraint) if isinstance(constraint, URIRef) else f"{_local(shape)}/sparql"
            # SHACL puts the severity on the shape, so every sh:sparql of one node shape shares it.
            found.append(Constraint(cid, SEVERITIES[graph.value(shape, SH.severity, default=SH.Violation)],
                                    *_messages(graph, constraint), select))
        targets = list(graph.objects(shape, SH.targetClass))
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            severity = SEVERITIES[graph.value(prop, SH.severity, default=SH.Violation)]
            for component in CORE:
                parameter = graph.value(prop, SH[component])
                if parameter is None:
                    continue
                select = _core(component).replace("$PATH", _path(graph, path))
                allowed = frozenset(Collection(graph, parameter)) if component == "in" else None
                cid = f"{_local(shape)}/{_local(path)}/{component}"
                for target in targets:
                    bindings: dict[str, Node] = {"targetClass": target}
                    if component != "in":
                        bindings[component] = parameter
                    found.append(Constraint(cid, severity, *_messages(graph, prop), select, bindings, allowed))
    return found


def run(store: Any, checks: list[Constraint] | None = None) -> Iterator[Hit]:
    """Every constraint as one query on the store (anything with ``query(sparql, bindings)``)."""
    graph = shapes_graph()
    head = prologue(graph)
    for check in checks if checks is not None else constraints(graph):
        result = store.query(head + check.select, check.bindings or None)
        names = [str(v) for v in result.vars]
        seen: set[tuple[Node, ...]] = set()
        for row in result:
            values = {name: value for name, value in zip(names, row, strict=True) if value is not None}
            focus = values.pop("this", None)
            if focus is None:
                continue
            if check.allowed is not None and values.get("value") in check.allowed:
                continue
            key = (focus, *sorted(values.items()))
            if key in seen:  # the union default graph repeats rows once per named graph
                continue
            seen.add(key)
            yield Hit(check, focus, values)


def plain(value: Node) -> Any:
    """A result term as JSON-friendly Python."""
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, Decimal | float):
            return int(python) if python == int(python) else round(float(python), 2)
        return python if isinstance(python, int | bool) else str(value)
    return str(value)


def spoken(value: Node) -> str:
    """A value as a Dutch reader writes it: 1.616.046 and 38,9 for amounts and hours; lines and years bare."""
    if isinstance(value, Literal) and value.datatype in (XSD.decimal, XSD.double, XSD.float):
        number = float(value.toPython())
        if number == int(number):
            return f"{int(number):,}".replace(",", ".")
        return f"{number:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, URIRef):
        return _local(value)
    return str(value)


def fill(template: str, values: dict[str, Node]) -> str:
    return PLACEHOLDER.sub(lambda m: spoken(values[m.group(1)]) if m.group(1) in values else "?", template)

