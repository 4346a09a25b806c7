"""Named SPARQL queries: ``queries/named/*.rq`` files with a comment header.

Header lines (before the first non-comment line)::

    # name: efforts-in-ward
    # nl: Inspanningen die een wijk raken (gericht of stadsbreed)
    # en: Efforts that reach a ward (targeted or city-wide)
    # param: ward iri  De wijk, het dorp of de buurt / the ward
    # example: ward=https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek

A parameter's type is ``iri``, ``string``, ``integer`` or ``decimal``; values are bound as RDF
terms (VALUES), never spliced into the query text.
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
_HEADER = re.compile(r"^#\s*(name|nl|en|param|example)\s*:\s*(.*)$")
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.I)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    optional: bool = False


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
        if len(parts) < 2 or parts[1].rstrip("?") not in PARAM_TYPES:
            raise ValueError(f"{fallback_name}.rq: bad param header '{spec}'")
        params.append(
            Parameter(parts[0], parts[1].rstrip("?"), parts[2] if len(parts) > 2 else "", optional=parts[1].endswith("?"))
        )
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
