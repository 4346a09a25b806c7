"""Compare the ingested graph with the hand-written gold files in tests/gold/ (read from the documents)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from beleidsgraaf.ingest.text import norm

GOLD_DIR = Path(__file__).with_name("gold")

LABELS = """
PREFIX bg: <https://w3id.org/beleidsgraaf/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?doc ?cls ?file WHERE {
  ?x a/rdfs:subClassOf* ?cls ; rdfs:label ?label ; prov:wasDerivedFrom ?doc .
  ?doc bg:beginRegelDocument ?b ; bg:eindRegelDocument ?e ; <http://purl.org/dc/terms/isPartOf> ?f .
  ?f bg:bestandsnaam ?file .
}"""

DOCS = """
PREFIX bg: <https://w3id.org/beleidsgraaf/def#>
SELECT ?doc ?b ?e ?title ?year ?muni ?file WHERE {
  ?doc bg:beginRegelDocument ?b ; bg:eindRegelDocument ?e ; <http://purl.org/dc/terms/isPartOf> ?f ;
       <http://purl.org/dc/terms/title> ?title .
  ?f bg:bestandsnaam ?file .
  OPTIONAL { ?doc bg:jaar ?year } OPTIONAL { ?doc bg:gemeente/<http://www.w3.org/2000/01/rdf-schema#label> ?muni }
}"""


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Match:
    doc: str
    first: int
    last: int
    title: str
    year: int | None
    municipality: str | None


def find_document(store, gold: dict) -> Match | None:
    a, b = gold["document"]["lines"]
    best, overlap = None, 0
    for row in store.query(DOCS, {"file": _lit(gold["file"])}):
        first, last = int(row.b), int(row.e)
        common = min(b, last) - max(a, first)
        if common > overlap:
            best, overlap = Match(str(row.doc), first, last, str(row.title),
                                  int(row.year) if row.year is not None else None,
                                  str(row.muni) if row.muni is not None else None), common
    return best


def _lit(value: str):
    from rdflib import Literal

    return Literal(value)


def labels(store, doc: str, cls: str) -> list[str]:
    from rdflib import URIRef

    query = LABELS.replace("?doc bg:beginRegelDocument", "?doc bg:beginRegelDocument")
    rows = store.query(query, {"doc": URIRef(doc), "cls": URIRef(f"https://w3id.org/beleidsgraaf/def#{cls}")})
    return [str(r.label) for r in rows]


def found(label: str, candidates: list[str], threshold: int = 88) -> bool:
    key = norm(label)
    return any(norm(c) == key or fuzz.token_set_ratio(norm(c), key) >= threshold and
               min(len(norm(c)), len(key)) >= 0.6 * max(len(norm(c)), len(key)) for c in candidates)


def recall(gold_labels: list[str], candidates: list[str]) -> float:
    if not gold_labels:
        return 1.0
    return sum(found(g, candidates) for g in gold_labels) / len(gold_labels)
