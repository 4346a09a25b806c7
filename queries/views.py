"""Read-side use cases built on the named queries: ward detail, programme DIN, resource description.

Shared by the HTTP API and (later) the CLI; each returns plain JSON-ready data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz, process
from rdflib import Graph, URIRef
from rdflib.query import Result

from beleidsgraaf.errors import NotFoundError
from beleidsgraaf.ontology.namespaces import BG, ID, bind_prefixes
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import named
from beleidsgraaf.queries.labels import not_a_node

# Depth of each DIN class in the picture: vision on top, efforts at the bottom.
DIN_LEVELS: dict[str, int] = {
    "Visie": 0,
    "StrategischDoel": 1,
    "Beleidsdoel": 1,
    "TactischDoel": 2,
    "OperationeelDoel": 3,
    "Inspanning": 4,
    "Project": 4,
    "Activiteit": 4,
    "Werkveld": 4,
    "Programmalijn": 4,
}
WARD_KIND_RANK = {"Wijk": 0, "Dorp": 0, "Stadsdeel": 1, "Gemeente": 2, "Buurt": 3}
# Where ingest (ingest/to_rdf.py) mints ward and programme IRIs: a page URL is the IRI's path below these, so
# namesakes in two municipalities (Binnenstad in Almelo and in Utrecht) are two pages.
WARD_BASE = str(ID) + "gebied/"
PROGRAMME_BASE = str(ID) + "programma/"


class UnknownName(NotFoundError):
    """A name that resolves to nothing; carries the nearest names so a caller can offer them."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        hint = f"did you mean: {', '.join(suggestions)}" if suggestions else None
        super().__init__(message, hint=hint)
        self.suggestions = suggestions


def run(store: EmbeddedStore, name: str, **params: str) -> Result:
    query = named.get(name)
    return store.query(query.text, query.bind(params))


def rows(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, str | None]]:
    result = run(store, name, **params)
    variables = [str(v) for v in result.vars or []]
    return [{v: (None if row[i] is None else str(row[i])) for i, v in enumerate(variables)} for row in result]


def local(iri: str | None) -> str | None:
    """The local name of a bg: term (``bg:Wijk`` -> ``Wijk``)."""
    if iri is None:
        return None
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().replace("-", " ").split())


def _resolve(name: str, candidates: Iterable[tuple[str, list[str]]], what: str) -> str:
    """Exact match on IRI, label, alias or IRI slug (case- and accent-insensitive); else UnknownName.

    A near miss is never silently taken: the caller gets the nearest names as suggestions.
    """
    wanted = _key(name)
    names: dict[str, tuple[str, str]] = {}
    for iri, labels in candidates:
        if name == iri:
            return iri
        for label in [*labels, local(iri) or ""]:
            names.setdefault(_key(label), (iri, labels[0] if labels else label))
    if wanted in names:
        return names[wanted][0]
    suggestions: list[str] = []
    for match, _score, _ in process.extract(wanted, list(names), scorer=fuzz.WRatio, limit=8, score_cutoff=60):
        label = names[match][1]
        if label not in suggestions:
            suggestions.append(label)
    raise UnknownName(f"unknown {what} '{name[:100]}'", suggestions[:5])


# -- wards -------------------------------------------------------------------------------------
def wards(store: EmbeddedStore) -> list[dict[str, Any]]:
    out = []
    for row in rows(store, "wards"):
        out.append(
            {
                "iri": row["ward"],
                "name": row["label"],
                "kind": local(row["kind"]),
                "cbs": row["cbs"],
                "parent": row["parent"],
                "parent_name": row["parentLabel"],
                "aliases": sorted(a for a in (row["aliases"] or "").split("|") if a),
            }
        )
    # A name shared by a wijk and a buurt resolves to the wijk: sort wards before buurten.
    out.sort(key=lambda w: (WARD_KIND_RANK.get(w["kind"] or "", 9), w["name"]))
    return out


def resolve_ward(store: EmbeddedStore, name: str) -> dict[str, Any]:
    """A ward by IRI, by its IRI's path below id/gebied/ (``almelo/binnenstad``: the page URL), or by name."""
    listing = wards(store)
    by_iri = {w["iri"]: w for w in listing}
    if WARD_BASE + name.strip().strip("/") in by_iri:
        return by_iri[WARD_BASE + name.strip().strip("/")]
    iri = _resolve(name, [(w["iri"], [w["name"], *w["aliases"]]) for w in listing], "ward")
    return by_iri[iri]


def namesakes(listing: list[dict[str, Any]], iri: str, name: str) -> list[dict[str, Any]]:
    """Other resources with the same name (a name in a URL picks one; the page links the others)."""
    return [x for x in listing if x["iri"] != iri and _key(x["name"] or "") == _key(name)]


def _sources(items: Iterable[Mapping[str, str | None]]) -> list[dict[str, Any]]:
    seen = []
    for row in items:
        if row.get("file") and row.get("first"):
            source = {
                "document": row["file"],
                "lines": [int(row["first"] or 0), int(row["last"] or row["first"] or 0)],
                "quote": row.get("quote"),
            }
            if source not in seen:
                seen.append(source)
    return sorted(seen, key=lambda s: (s["document"], s["lines"]))


def ward_detail(store: EmbeddedStore, name: str) -> dict[str, Any]:
    ward = resolve_ward(store, name)
    parts = list({  # one entry per buurt: the query gives a row per line that names it
        r["part"]: {"iri": r["part"], "name": r["label"], "kind": local(r["kind"]), "cbs": r["cbs"]}
        for r in rows(store, "ward-buurten", ward=ward["iri"])
    }.values())
    grouped: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    for row in rows(store, "efforts-in-ward", ward=ward["iri"]):
        grouped.setdefault((row["reach"] or "", row["effort"] or ""), []).append(row)
    targeted, citywide = [], []
    for (reach, iri), group in grouped.items():
        first = group[0]
        effort = {
            "iri": iri,
            "name": first["label"],
            "reach": reach,
            "via": first["via"],
            "via_name": first["viaLabel"],
            "steering": sorted({local(r["principle"]) or "" for r in group if r["principle"]}),
            "owner": first["owner"],
            "owner_name": first["ownerLabel"],
            "programme": first["programme"],
            "sources": _sources(group),
        }
        (targeted if reach == "gericht" else citywide).append(effort)
    from beleidsgraaf.queries.reports import municipality_in

    listing = wards(store)
    return {
        **ward,
        "municipality": municipality_in(listing, ward["iri"]),
        "namesakes": [{**w, "municipality": municipality_in(listing, w["iri"])}
                      for w in namesakes(listing, ward["iri"], ward["name"])],
        "parts": parts,
        "efforts": {
            "targeted": sorted(targeted, key=lambda e: e["name"] or ""),
            "citywide": sorted(citywide, key=lambda e: e["name"] or ""),
        },
    }


# -- programmes --------------------------------------------------------------------------------
def programmes(store: EmbeddedStore) -> list[dict[str, Any]]:
    return [
        {"iri": r["programme"], "name": r["label"], "contract": r["contract"], "nodes": int(r["nodes"] or 0),
         "municipality": {"iri": r["municipality"], "name": r["municipalityLabel"]} if r["municipality"] else None}
        for r in rows(store, "programmes")
    ]


def resolve_programme(store: EmbeddedStore, name: str) -> dict[str, Any]:
    """A programme by IRI, by its IRI's path below id/programma/ (``almelo/duurzaamheid``), or by name."""
    listing = programmes(store)
    by_iri = {p["iri"]: p for p in listing}
    if PROGRAMME_BASE + name.strip().strip("/") in by_iri:
        return by_iri[PROGRAMME_BASE + name.strip().strip("/")]
    iri = _resolve(name, [(p["iri"], [p["name"], *([p["contract"]] if p["contract"] else [])]) for p in listing], "programme")
    return by_iri[iri]


def programme_din(store: EmbeddedStore, name: str) -> dict[str, Any]:
    """The DIN as nodes (with level, order, sources) and edges (node -> the goal it contributes to)."""
    programme = resolve_programme(store, name)
    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for row in rows(store, "din", owner=programme["iri"]):
        iri = row["x"] or ""
        if not_a_node(row["label"] or "", (programme.get("municipality") or {}).get("name")):
            continue
        kind = local(row["level"]) or "Inspanning"
        node = nodes.setdefault(
            iri, {"iri": iri, "name": row["label"], "kind": kind, "level": DIN_LEVELS.get(kind, 4), "order": None, "sources": []}
        )
        # Keep the most specific class: a Project is also listed as Inspanning when both are stated.
        if kind != "Inspanning" and DIN_LEVELS.get(kind, 4) <= node["level"]:
            node["kind"], node["level"] = kind, DIN_LEVELS.get(kind, 4)
        if row["order"] is not None:
            node["order"] = int(row["order"])
        for source in _sources([row]):
            if source not in node["sources"]:
                node["sources"].append(source)
        if row["parent"]:
            edges.add((iri, row["parent"]))
    ordered = sorted(nodes.values(), key=lambda n: (n["level"], n["order"] if n["order"] is not None else 10**6, n["name"] or ""))
    return {**programme, "nodes": ordered,
            "edges": [{"from": a, "to": b} for a, b in sorted(edges) if a in nodes and b in nodes]}


def programme_context(store: EmbeddedStore, programme: Mapping[str, Any]) -> dict[str, Any]:
    """What a programme page shows beside its DIN: budgets, actors and wards, each with its source lines."""
    iri = programme["iri"]
    budget_rows: dict[str, list[dict[str, str | None]]] = {}
    for row in rows(store, "budgets", owner=iri):
        budget_rows.setdefault(row["budget"] or "", []).append(row)
    budgets = []
    for group in budget_rows.values():
        row = group[0]
        budgets.append({"iri": row["budget"], "amount": float(row["amount"]) if row["amount"] else None,
                        "year": row["year"], "start": row["start"], "end": row["end"], "purpose": row["purpose"],
                        "effort": row["effortLabel"], "holder": row["holderLabel"], "total": row["isTotal"] == "true",
                        "document": row["title"], "sources": _sources(group)})
    actor_rows: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    for row in rows(store, "actors", owner=iri):
        actor_rows.setdefault((row["agent"] or "", row["role"] or ""), []).append(row)
    actors = [{"iri": g[0]["agent"], "name": g[0]["name"], "role": g[0]["roleLabel"] or local(g[0]["role"]),
               "sources": _sources(g)} for g in actor_rows.values()]
    places: dict[str, dict[str, Any]] = {}
    for row in rows(store, "programme-wards", owner=iri):
        place = places.setdefault(row["ward"] or "", {"iri": row["ward"], "name": row["label"], "kind": local(row["kind"]),
                                                      "targeted": False})
        place["targeted"] = place["targeted"] or row["targeted"] == "true"
    return {
        # Document order (stated totals last), as the tables stand in the contract.
        "budgets": sorted(budgets, key=lambda b: (b["total"], b["sources"][0]["lines"] if b["sources"] else [0],
                                                   b["year"] or b["start"] or "")),
        "actors": sorted(actors, key=lambda a: ((a["role"] or "").lower(), (a["name"] or "").lower())),
        "wards": sorted(places.values(), key=lambda w: (not w["targeted"], WARD_KIND_RANK.get(w["kind"] or "", 9),
                                                        (w["name"] or "").lower())),
    }


# -- resources ---------------------------------------------------------------------------------
def _valid_iri(iri: str) -> bool:
    """RFC 3987, checked by Oxigraph's parser: a path like /resource/%7F must be a 404, not a SPARQL syntax error."""
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        return False
    return True


def describe(store: EmbeddedStore, iri: str) -> Graph:
    """All triples with the resource as subject plus its citations; NotFoundError when there are none."""
    if not iri.startswith(str(ID)) and not iri.startswith(str(BG)) or not _valid_iri(iri):
        raise NotFoundError(f"'{iri[:200]}' is not an IRI of this graph")
    result = run(store, "describe-resource", resource=iri)
    graph = Graph()
    bind_prefixes(graph.namespace_manager)
    for triple in result.graph or Graph():
        graph.add(triple)
    if (URIRef(iri), None, None) not in graph:
        raise NotFoundError(f"the graph says nothing about <{iri[:200]}>")
    return graph


def source_files(store: EmbeddedStore) -> dict[str, dict[str, Any]]:
    return {
        r["name"] or "": {
            "iri": r["file"],
            "sha256": r["sha256"],
            "lines": int(r["lines"] or 0),
            "documents": int(r["documents"] or 0),
        }
        for r in rows(store, "source-files")
    }


def ward_afstemming(store: EmbeddedStore, name: str) -> dict[str, Any]:
    """The afstemming report of the ward ``name`` resolves to here, exactly as for ``ward_detail``.

    The report's own resolver goes through the question linker, which indexes ward names of at most four
    words; "Vriezenveenseweg e.o. Haghoek Oost" was a ward on /wards/{name} and unknown to its report.
    """
    from beleidsgraaf.queries import reports

    ward = resolve_ward(store, name)
    return reports.afstemming_for(store, URIRef(ward["iri"]), ward["name"])
