"""Named SPARQL queries: ``queries/named/*.rq`` files with a comment header.

Header lines (before the first non-comment line)::

    # name: efforts-in-ward
    # nl: Inspanningen die een wijk raken (gericht of stadsbreed)
    # en: Efforts that reach a ward (targeted or city-wide)
    # param: ward iri:ward  De wijk, het dorp of de buurt / the ward
    # param: owner iri:programme,document?  Programma of document (leeg = alle)
    # example: ward=https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek

A parameter's type is ``iri``, ``string``, ``integer`` or ``decimal``; values are bound as RDF
terms (VALUES), never spliced into the query text. An ``iri`` may declare the kinds of resource it
takes after a colon (``PARAM_KINDS``), so a caller can accept a name and resolve it to the right
resource (``queries/resolve.py``); ``bind`` itself takes IRIs only. A trailing ``?`` makes it optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from beleidsgraaf.errors import InputError, NotFoundError

QUERY_DIR = Path(__file__).with_name("named")
PARAM_TYPES = ("iri", "string", "integer", "decimal")
# The kinds of linking.KIND_OF_CLASS, plus the two concept schemes a parameter can take.
PARAM_KINDS = ("gemeente", "ward", "programme", "unit", "person", "partner", "body", "document", "effort", "goal",
               "role", "principle")
_HEADER = re.compile(r"^#\s*(name|nl|en|param|example)\s*:\s*(.*)$")
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.I)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    optional: bool = False
    kinds: tuple[str, ...] = ()  # for an iri: the kinds of resource a name may stand for (empty: any)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    nl: str
    en: str
    text: str
    parameters: tuple[Parameter, ...] = ()
    examples: tuple[str, ...] = field(default_factory=tuple)

    def bind(self, values: Mapping[str, str]) -> dict[str, Node]:
        """Check and type the given parameter values; unknown or missing parameters are errors."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InputError(
                f"query '{self.name}' has no parameter '{unknown[0]}'", hint=f"parameters: {', '.join(known) or 'none'}"
            )
        bound: dict[str, Node] = {}
        for param in self.parameters:
            if param.name not in values or values[param.name] in ("", None):
                if not param.optional:
                    raise InputError(f"query '{self.name}' needs --param {param.name}=<{param.type}>")
                continue
            bound[param.name] = _typed(param, str(values[param.name]))
        return bound


def _typed(param: Parameter, raw: str) -> Node:
    raw = raw.strip()
    if param.type == "iri":
        if not _IRI.match(raw):
            raise InputError(f"parameter {param.name}: '{raw[:80]}' is not an IRI")
        return URIRef(raw)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise InputError(f"parameter {param.name}: '{raw[:80]}' is not a whole number")
        return Literal(int(raw))
    if param.type == "decimal":
        try:
            return Literal(Decimal(raw))
        except InvalidOperation:
            raise InputError(f"parameter {param.name}: '{raw[:80]}' is not a number") from None
    return Literal(raw)


def parse(text: str, fallback_name: str) -> NamedQuery:
    meta: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if match := _HEADER.match(line):
            meta.setdefault(match.group(1), []).append(match.group(2).strip())
    params = []
    for spec in meta.get("param", []):
        parts = spec.split(None, 2)
        kind_type, _, kinds = parts[1].rstrip("?").partition(":") if len(parts) > 1 else ("", "", "")
        declared = tuple(k for k in kinds.split(",") if k)
        if len(parts) < 2 or kind_type not in PARAM_TYPES or (declared and kind_type != "iri") \
                or not set(declared) <= set(PARAM_KINDS):
            raise ValueError(f"{fallback_name}.rq: bad param header '{spec}'")
        params.append(Parameter(parts[0], kind_type, parts[2] if len(parts) > 2 else "", optional=parts[1].endswith("?"),
                                kinds=declared))
    return NamedQuery(
        name=(meta.get("name") or [fallback_name])[0],
        nl=" ".join(meta.get("nl", [])),
        en=" ".join(meta.get("en", [])),
        text=text,
        parameters=tuple(params),
        examples=tuple(meta.get("example", [])),
    )


@cache
def catalogue() -> dict[str, NamedQuery]:
    queries = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        query = parse(path.read_text(encoding="utf-8"), path.stem)
        queries[query.name] = query
    return queries


def get(name: str) -> NamedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        raise NotFoundError(f"no named query '{name}'", hint="`beleidsgraaf queries` lists them") from None
