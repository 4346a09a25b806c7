"""Two reports built from named queries: the afstemming report of a ward and the cross-programme links."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries.answer import Row, answerer, evidence_of, run_named, ward_contacts
from beleidsgraaf.queries.labels import not_a_node
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


# The order a reader meets them in: where the ward is named first, then the city, then what may or may not apply.
SCOPES = ("gericht", "stadsbreed", "onbekend")
STEERING = ("lijnsturing", "programmasturing", "wijksturing", "onbekend")


def municipality_in(wards: list[dict[str, Any]] | list[Row], iri: str) -> dict[str, str] | None:
    """The municipality a ward lies in: up its parents to the first area that is not itself a ward.

    ``wards`` are rows of the named query ``wards`` (ward, parent, parentLabel), which lists every area
    below a municipality; the municipality is the parent no row describes.
    """
    by_iri = {str(w["ward"] if "ward" in w else w["iri"]): w for w in wards}
    seen: set[str] = set()
    current = by_iri.get(iri)
    while current is not None:
        parent = current.get("parent")
        if parent is None or str(parent) in seen:
            return None
        seen.add(str(parent))
        if str(parent) not in by_iri:
            name = current.get("parentLabel", current.get("parent_name"))
            return {"iri": str(parent), "name": str(name) if name else str(parent).rsplit("/", 1)[-1]}
        current = by_iri[str(parent)]
    return None


def _documents(store: EmbeddedStore) -> list[Row]:
    return _rows(store, "documents")


def _document_of(documents: list[Row], file: str, line: int) -> Row | None:
    """The document (a part of a file) whose lines hold ``line``: a rule row names its file and lines only."""
    for doc in documents:
        if str(doc.file) == file and int(doc.first) <= line <= int(doc.last):
            return doc
    return None


def _rules(store: EmbeddedStore, documents: list[Row], municipality: str | None) -> list[dict[str, Any]]:
    """The afstemming rules of the municipality's documents, each with whom it binds and whom they coordinate with.

    A rule in a programme's own contract binds that programme's efforts only; a rule in a document about no
    programme (the wijksturing contract, a ward plan) binds every effort of the steering it names.
    """
    rules: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "afstemming-rules"):
        doc = _document_of(documents, str(row.file), int(row.first))
        if municipality and doc is not None and doc.municipality is not None and str(doc.municipality) != municipality:
            continue  # another municipality's contract binds nobody here
        rule = rules.setdefault(str(row.rule), {
            "iri": str(row.rule), "rule": str(row.text), "document": str(row.title),
            "duty_for": sorted(p for p in str(row.dutyFor or "").split(", ") if p),
            "coordinate_with": sorted(p for p in str(row.coordinateWith or "").split(", ") if p),
            "programme": str(doc.programme) if doc is not None and doc.programme is not None else None,
            "evidence": []})
        for evidence in _lines(row):
            if evidence not in rule["evidence"]:
                rule["evidence"].append(evidence)
    return list(rules.values())


def _applies(rule: dict[str, Any], steering: str, programme: str | None) -> bool:
    if steering not in rule["duty_for"]:
        return False
    return rule["programme"] is None or rule["programme"] == programme


def _efforts(rows: list[Row], scope: str | None, documents: dict[str, Row], programmes: set[str],
             municipality: str | None) -> dict[str, dict[str, Any]]:
    """One entry per effort (the union default graph and several source lines repeat rows), sources pooled;
    table cells read as list items ("1.000", "(2018)") are no effort and left out."""
    efforts: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not_a_node(str(row.label), municipality):
            continue
        doc = documents.get(str(row.doc)) if row.doc is not None else None
        owner = str(row.owner) if row.owner is not None else None
        effort = efforts.setdefault(str(row.effort), {
            "effort": str(row.label), "iri": str(row.effort), "reach": scope or str(row.reach),
            "via": str(row.viaLabel) if row.viaLabel else None, "via_iri": str(row.via) if row.via else None,
            "steering": str(row.principle).rsplit("#", 1)[-1] if row.principle else "onbekend",
            "owner": str(row.ownerLabel) if row.ownerLabel else None, "owner_iri": owner,
            "owner_kind": None if owner is None else "programme" if owner in programmes else "unit",
            "programme": str(row.programme) if row.programme else (owner if owner in programmes else None),
            "document": str(doc.title) if doc is not None else None, "document_iri": str(row.doc) if row.doc else None,
            "evidence": [], "rules": []})
        for evidence in _lines(row):
            if evidence not in effort["evidence"]:
                effort["evidence"].append(evidence)
    for effort in efforts.values():
        effort["evidence"].sort(key=lambda e: (e["document"], e["lines"]))
    return efforts


def _by_scope(efforts: list[dict[str, Any]], scope: str) -> dict[str, Any]:
    """Efforts of one scope grouped by steering principle, then owner; counts at every level."""
    steering: dict[str, dict[tuple[int, str], list[dict[str, Any]]]] = {}
    for effort in efforts:
        key = (1 if effort["owner"] is None else 0, effort["owner"] or "")
        steering.setdefault(effort["steering"], {}).setdefault(key, []).append(effort)
    groups = []
    for principle in sorted(steering, key=lambda p: STEERING.index(p) if p in STEERING else len(STEERING)):
        owners = []
        for (_, _name), members in sorted(steering[principle].items()):
            members.sort(key=lambda e: e["effort"].lower())
            first = members[0]
            rules = sorted({iri for e in members for iri in e["rules"]})
            owners.append({"owner": first["owner"], "owner_iri": first["owner_iri"], "owner_kind": first["owner_kind"],
                           "count": len(members), "rules": rules, "efforts": members})
        groups.append({"steering": principle, "count": sum(o["count"] for o in owners), "owners": owners})
    # Scope unknown: the documents do not say which areas these efforts target, so they may or may not land here.
    return {"scope": scope, "uncertain": scope == "onbekend", "count": len(efforts), "steering": groups}


def afstemming_for(store: EmbeddedStore, iri: URIRef, label: str) -> dict[str, Any]:
    """The report for a ward already resolved (the web API resolves names as /wards/{name} does).

    Everything that may land in the ward, by scope: targeted at it (or a buurt in it, or the wijk around it),
    city-wide, and scope unknown (an effort of the municipality's documents that names no area: shown as
    uncertain rather than dropped); within each, by steering principle and owner, every effort with its
    document, lines and the rules that say with whom it is coordinated.
    """
    documents = _documents(store)
    by_doc = {str(d.doc): d for d in documents}
    programmes = {str(r.programme) for r in _rows(store, "programmes")}
    municipality = municipality_in(_rows(store, "wards"), str(iri))
    reaching = _rows(store, "efforts-in-ward", ward=iri)
    town = municipality["name"] if municipality else None
    efforts = _efforts(reaching, None, by_doc, programmes, town)
    unscoped = _rows(store, "efforts-unscoped", municipality=URIRef(municipality["iri"])) if municipality else []
    unknown = _efforts(unscoped, "onbekend", by_doc, programmes, town)
    rules = _rules(store, documents, town)
    used: set[str] = set()
    for effort in [*efforts.values(), *unknown.values()]:
        effort["rules"] = [r["iri"] for r in rules if _applies(r, effort["steering"], effort["programme"])]
        used.update(effort["rules"])
    everything = [*efforts.values(), *unknown.values()]
    scopes = [_by_scope([e for e in everything if e["reach"] == scope], scope) for scope in SCOPES]

    # The groups as before (targeted and city-wide by steering and owner), which the CLI prints.
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for effort in sorted(efforts.values(), key=lambda e: (e["reach"], e["steering"], e["effort"])):
        groups[(effort["steering"], effort["owner"] or "—")].append(
            {"effort": effort["effort"], "iri": effort["iri"], "reach": effort["reach"], "via": effort["via"],
             "evidence": effort["evidence"]})
    # The ward's own rules: those that have the line and programmes coordinate with ward steering.
    ward_rules = [r for r in rules if any("wijk" in p for p in r["duty_for"] + r["coordinate_with"])]
    contacts = [{"name": str(row.name), "role": "wijkregisseur", "evidence": _lines(row)} for row in ward_contacts(store, label)]
    return {
        "ward": label,
        "iri": str(iri),
        "municipality": municipality,
        "counts": {scope["scope"]: scope["count"] for scope in scopes},
        "scopes": scopes,
        "groups": [
            {"steering": principle, "owner": owner, "efforts": members} for (principle, owner), members in sorted(groups.items())
        ],
        "rules": ward_rules,
        "programme_rules": [r for r in rules if r not in ward_rules and r["iri"] in used],
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
