"""Two reports built from named queries: the afstemming report of a ward and the cross-programme links."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries.answer import Row, answerer, evidence_of, run_named, ward_contacts, ward_rules
from beleidsgraaf.textkey import norm


def _rows(store: EmbeddedStore, name: str, **params: object) -> list[Row]:
    return run_named(store, name, **params)[0]


def _lines(row: Row) -> list[dict[str, Any]]:
    return [e.as_dict() for e in evidence_of(row)]


def resolve_ward(store: EmbeddedStore, name: str) -> tuple[URIRef, str]:
    """A ward by name or spelling variant (fuzzy for typos); an unknown name is an error, not a guess."""
    if not name.strip():
        raise InputError("give a ward name")
    index = answerer(store).index
    entities, _ = index.lookup(name)
    wards = [e for e in entities if e.kind == "ward"]
    if not wards:
        near = index.suggest(name, ("ward",))
        raise NotFoundError(f"no ward '{name}' in the documents", hint=f"did you mean: {', '.join(near)}" if near else None)
    ward = sorted(wards, key=lambda e: ({"Wijk": 0, "Dorp": 0, "Buurt": 1}.get(e.cls, 2), len(str(e.iri))))[0]
    return ward.iri, ward.label


def afstemming_report(store: EmbeddedStore, ward_name: str) -> dict[str, Any]:
    iri, label = resolve_ward(store, ward_name)
    return afstemming_for(store, iri, label)


def afstemming_for(store: EmbeddedStore, iri: URIRef, label: str) -> dict[str, Any]:
    """The report for a ward already resolved (the web API resolves names as /wards/{name} does)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for row in _rows(store, "efforts-in-ward", ward=iri):
        principle = str(row.principle).rsplit("#", 1)[-1] if row.principle else "onbekend"
        owner = str(row.ownerLabel) if row.ownerLabel else "—"
        key = (str(row.effort), str(row.reach))
        if key in seen:
            continue
        seen.add(key)
        groups[(principle, owner)].append(
            {
                "effort": str(row.label),
                "iri": str(row.effort),
                "reach": str(row.reach),
                "via": str(row.viaLabel) if row.viaLabel else None,
                "evidence": _lines(row),
            }
        )
    rules = []
    for row in ward_rules(store)[0]:
        rules.append({"rule": str(row.text), "document": str(row.title), "evidence": _lines(row)})
    contacts = [{"name": str(row.name), "role": "wijkregisseur", "evidence": _lines(row)} for row in ward_contacts(store, label)]
    return {
        "ward": label,
        "iri": str(iri),
        "groups": [
            {"steering": principle, "owner": owner, "efforts": efforts} for (principle, owner), efforts in sorted(groups.items())
        ],
        "rules": rules,
        "contacts": contacts,
        "contact_named": bool(contacts),
    }


def programme_links(store: EmbeddedStore, programme: str | None = None) -> list[dict[str, Any]]:
    """For each programme: whom it names as related, who names it, which of those are mutual, shared wards and actors."""
    relations = _rows(store, "programme-relations")
    names: dict[str, str] = {}
    out_edges: dict[str, list[Row]] = defaultdict(list)
    in_edges: dict[str, list[Row]] = defaultdict(list)
    for row in relations:
        names[str(row["from"])] = str(row.fromName)
        names[str(row.to)] = str(row.toName)
        out_edges[str(row["from"])].append(row)
        in_edges[str(row.to)].append(row)
    wanted = set(names)
    if programme:
        key = norm(programme)
        wanted = {iri for iri, name in names.items() if norm(name) == key}
        if not wanted:
            raise NotFoundError(
                f"no programme '{programme}' takes part in a programme relation",
                hint=f"known: {', '.join(sorted(set(names.values())))}",
            )
    shared_wards = _rows(store, "shared-wards")
    result = []
    for iri in sorted(wanted, key=lambda i: names[i]):
        named_out = {str(r.to): r for r in out_edges[iri]}
        named_in = {str(r["from"]): r for r in in_edges[iri]}
        name = names[iri]
        result.append(
            {
                "programme": name,
                "iri": iri,
                "names": [
                    {"programme": names[t], "iri": t, "mutual": t in named_in, "evidence": _lines(r)}
                    for t, r in sorted(named_out.items(), key=lambda p: names[p[0]])
                ],
                "named_by": [
                    {"programme": names[f], "iri": f, "mutual": f in named_out, "evidence": _lines(r)}
                    for f, r in sorted(named_in.items(), key=lambda p: names[p[0]])
                ],
                "shared_wards": sorted({str(w.wardLabel) for w in shared_wards if norm(name) in norm(str(w.documents))}),
            }
        )
    return result
